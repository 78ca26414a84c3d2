#pragma once
// vmrun check's findings: the host in general, or the host for one plan (its
// devices and groups, firmware files, bridges, huge pages, display handoff).

#include <string>
#include <vector>

#include "host/host_check.h"
#include "plan/launch_plan.h"

namespace vmrun {

// `plan` may be null (the host in general); `sysroot` is where sysfs and /proc are read.
std::vector<CheckLine> check_host_for(const LaunchPlan* plan, const std::string& sysroot);

}  // namespace vmrun
