#pragma once
// virtiofsd, one per shared folder, as a supervised child of the VM (like
// swtpm): started before QEMU on a listening socket vmrun made, journaled
// before its fork (the replay stops it on every exit path, and 'vmrun
// restore' after a killed supervisor), ending by itself when QEMU lets go.
//
// vmrun gives it a mount namespace of its own where the folder is bind-mounted
// onto an empty folder in the runtime folder (read-only for `readonly`), and
// exports that: nothing changes in the host's mounts, and the folder's path
// never passes through virtiofsd's comma-separated options.

#include <boost/process/child.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "host/journal.h"
#include "plan/launch_plan.h"

namespace vmrun {

// This host's virtiofsd: $VMRUN_VIRTIOFSD, the Rust package's
// /usr/libexec/virtiofsd, Debian 12's /usr/lib/qemu/virtiofsd, then PATH.
// "" when there is none.
std::string find_virtiofsd();

// What stops a plan's shared folders before anything changes: no virtiofsd,
// a folder that is missing or not a folder.
std::vector<Failure> shared_folder_problems(const LaunchPlan& plan);

// Returns nothing with `child` serving the folder, or the failure (what was
// journaled is undone by the caller's replay).
std::optional<Failure> start_virtiofsd(const LaunchPlan& plan, const SharedFolderPlan& folder, Journal& journal,
                                       boost::process::child& child);

// A virtiofsd of this VM: one exporting a folder in its runtime folder.
bool is_this_vms_virtiofsd(const VmPaths& vm, pid_t pid);

}  // namespace vmrun
