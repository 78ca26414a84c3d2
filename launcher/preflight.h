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

struct PreflightOptions {
    bool force_bind = false;  // take passthrough devices the host is using (--force-bind)
};

std::vector<PreflightProblem> preflight(const LaunchPlan& plan, const PreflightOptions& options = {});

}  // namespace vmrun
