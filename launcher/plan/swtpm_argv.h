#pragma once
// The swtpm command that serves a VM's TPM 2.0: its state folder, its control
// socket (QEMU connects there), its log, and --terminate, so swtpm ends by
// itself once QEMU — its only client — closes the connection. Pure.
//
// At start swtpm gets what it needs before it drops to run_as, which may not
// even pass through vmrun's folders (root's, 0700): the control socket as a
// listening fd vmrun made, the log as an fd, and the state folder as its
// working directory (dir=.).

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "plan/launch_plan.h"

namespace vmrun {

struct SwtpmFds {
    int control = -1;  // listening on the control socket
    int log = -1;      // the log, open for appending
};

// Empty when the profile has no TPM. Without `fds`, swtpm opens everything by
// path itself (what --dry-run shows: runnable as it stands, as root); with
// them it runs in the state folder.
std::vector<std::string> build_swtpm_argv(const LaunchPlan& plan, std::optional<SwtpmFds> fds = std::nullopt);

// swtpm's option parser has no escape for ',': a path holding one cannot be
// given to it. "" or the problem.
std::optional<Failure> swtpm_path_problem(const LaunchPlan& plan);

}  // namespace vmrun
