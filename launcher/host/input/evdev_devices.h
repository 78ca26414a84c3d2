#pragma once
// The host's evdev devices a profile hands to the guest (input-linux): each
// must be there and be an event device (/dev/input/eventN, character major
// 13), not the legacy /dev/input/mouseN or a by-id link without "event".
// Read through a sysroot; changes nothing.

#include <string>
#include <vector>

#include "host/host_problem.h"
#include "plan/launch_plan.h"

namespace vmrun {

// "" when `path` (under `sysroot`) is an evdev event device, else what is wrong.
std::string evdev_problem(const std::string& sysroot, const std::string& path);

std::vector<HostProblem> input_problems(const LaunchPlan& plan);

}  // namespace vmrun
