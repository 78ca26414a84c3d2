#pragma once
// vmrun stop: the guest powered off through ACPI by its supervisor, with
// escalation when it does not go, and how the VM ended as the supervisor
// recorded it.

#include "plan/vm_paths.h"

namespace vmrun {

// Force: quit at once instead of ACPI first. `timeout` seconds before each
// escalation. Prints how the VM ended (stdout) or why it could not tell
// (stderr); returns the exit code the VM's run ended with.
int stop_vm(const VmPaths& vm, bool force, double timeout);

}  // namespace vmrun
