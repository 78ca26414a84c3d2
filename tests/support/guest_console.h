#pragma once
// Asking the tiny guest things through `vmrun console`, as a person at the
// console would.

#include <string>

#include "run_vmrun.h"

namespace vmrun::testing {

// Runs a shell command in the guest and returns what it printed (between
// markers, so the echoed command line is not mistaken for output).
std::string guest_run(const VmrunEnv& env, const std::string& vm, const std::string& command);

// The guest's PCI devices as "vendor:device" lines ("0x1af4:0x1042"), then
// block devices and network interfaces, one per line.
std::string guest_inventory(const VmrunEnv& env, const std::string& vm);

}  // namespace vmrun::testing
