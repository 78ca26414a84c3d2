#pragma once
// What must hold before vmrun changes anything on the host for a launch:
// QEMU is there, KVM is usable when asked for, every file the plan names
// exists, every passthrough group can be taken whole and the host is not using
// its devices, every tap's bridge exists and its name is free.
// Each problem says how to fix it.

#include <string>
#include <vector>

#include "base/failure.h"
#include "host/pci/host_usage.h"
#include "plan/launch_plan.h"

namespace vmrun {

struct PreflightOptions {
    ForceBind force_bind;  // the kinds of host use to take passthrough devices despite (--force-bind)
};

std::vector<Failure> preflight(const LaunchPlan& plan, const PreflightOptions& options = {});

}  // namespace vmrun
