#pragma once
// The virtiofsd command that serves one shared folder. Pure.
//
// The same words work for both implementations a host may have: QEMU's C
// virtiofsd (Debian 12: qemu-system-common's /usr/lib/qemu/virtiofsd) and the
// Rust virtiofsd (its own package later), which keeps the C one's `-o`
// options for compatibility. Neither is told a sandbox: each defaults to its
// strongest (mount, PID and network namespaces, pivot_root into the folder),
// plus its seccomp filter.

#include <optional>
#include <string>
#include <vector>

#include "plan/launch_plan.h"

namespace vmrun {

// With `listen_fd`, virtiofsd serves the socket vmrun made and exports
// `folder.root`, where vmrun's mount namespace for it shows the folder (so a
// path with ',' never meets virtiofsd's option parser, and readonly is a
// read-only mount). Without it — what --dry-run shows — it makes the socket
// itself and exports the folder by its path.
std::vector<std::string> build_virtiofsd_argv(const SharedFolderPlan& folder, const std::string& binary,
                                              std::optional<int> listen_fd = std::nullopt);

}  // namespace vmrun
