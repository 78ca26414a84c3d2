#pragma once
// What shell completion offers beyond the command line's own words: a running
// VM's device ids and the host's PCI functions. Each answers within a second,
// as a shell waits (the VM names are in vm/running_vms.h).

#include <string>
#include <vector>

namespace vmrun {

// The ids QEMU knows the VM's devices by (qom-list /machine/peripheral), sorted; empty when it does not answer.
std::vector<std::string> device_ids_of(const std::string& vm);

struct HostFunctionChoice {
    std::string address;
    std::string description;  // "8086:10d3 e1000e" ("unbound" when no driver)
};
// Every non-bridge PCI function of this host.
std::vector<HostFunctionChoice> host_function_choices();

}  // namespace vmrun
