#pragma once
// The swtpm command that serves a VM's TPM 2.0: its state folder, its control
// socket (QEMU connects there), its log, and --terminate, so swtpm ends by
// itself once QEMU — its only client — closes the connection. Pure.

#include <string>
#include <vector>

#include "plan/launch_plan.h"

namespace vmrun {

// Empty when the profile has no TPM.
std::vector<std::string> build_swtpm_argv(const LaunchPlan& plan);

// swtpm's option parser has no escape for ',': a path holding one cannot be
// given to it. "" or the problem.
std::string swtpm_path_problem(const LaunchPlan& plan);

}  // namespace vmrun
