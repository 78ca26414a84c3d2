#pragma once
// What must hold before vmrun changes anything on the host for a launch:
// QEMU is there, KVM is usable when asked for, every file the plan names
// exists, and nothing in the profile needs a part vmrun does not have yet.
// Each problem says how to fix it.

#include <string>
#include <vector>

#include "launch_plan.h"

namespace vmrun {

struct PreflightProblem {
    std::string what;
    std::string fix;
};

std::vector<PreflightProblem> preflight(const LaunchPlan& plan);

}  // namespace vmrun
