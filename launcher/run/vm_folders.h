#pragma once
// Where a VM's folders are and creating them: /run/vmrun/NAME and
// /var/lib/vmrun/NAME for root, the XDG folders for everybody else.
// VMRUN_RUNTIME_DIR / VMRUN_STATE_DIR override both, so tests keep everything
// under a temporary folder. The names inside come from plan/vm_paths.

#include <optional>
#include <string>

#include "base/failure.h"

#include "plan/vm_paths.h"

namespace vmrun {

VmPaths vm_paths_for(const std::string& vm_name);

// Creates both folders, private to their owner, refusing foreign or
// symlinked ones (host/private_dir).
std::optional<Failure> create_folders(const VmPaths& paths);
// The state folder alone (journal, log): for 'vmrun bind', which runs no VM.
std::optional<Failure> create_state_folder(const VmPaths& paths);
// Checks, without creating, that what exists of them can be trusted.
std::optional<Failure> check_folders(const VmPaths& paths);

}  // namespace vmrun
