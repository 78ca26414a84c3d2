#pragma once
// Connecting to a VM's QMP socket, with spdlog as the qmp library's logger.

#include <memory>
#include <string>
#include <vector>

#include "qmp/client.h"

namespace vmrun {

// The ids of the VM's input-linux objects (/objects/ID), the profile's and hotplugged ones.
std::vector<std::string> input_object_ids(qmp::Client& c);

// Prints why and returns nullptr when the VM cannot be reached.
std::unique_ptr<qmp::Client> connect_qmp(const std::string& socket, const std::string& vm_name, qmp::Timeouts timeouts = {});

}  // namespace vmrun
