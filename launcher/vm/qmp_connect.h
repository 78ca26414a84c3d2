#pragma once
// Connecting to a VM's QMP socket, with spdlog as the qmp library's logger.

#include <memory>
#include <string>
#include <vector>

#include "qmp/client.h"

namespace vmrun {

// Prints why and returns nullptr when the VM cannot be reached.
std::unique_ptr<qmp::Client> connect_qmp(const std::string& socket, const std::string& vm_name, qmp::Timeouts timeouts = {});

}  // namespace vmrun
