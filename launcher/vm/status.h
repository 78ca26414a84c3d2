#pragma once
// What 'vmrun status' shows of a running VM, read from QEMU (run state,
// version, each root port's devices, the balloon) and the host (pids, the
// CPUs each vCPU thread may run on as the kernel has it, swtpm).

#include <optional>

#include <nlohmann/json.hpp>

#include "vm/vm_target.h"

namespace vmrun {

// The document --json prints; nullopt after saying on stderr why the VM
// could not be asked.
std::optional<nlohmann::json> read_vm_status(const VmTarget& target);

}  // namespace vmrun
