#pragma once
// Where a VM's folders are and creating them: /run/vmrun/NAME and
// /var/lib/vmrun/NAME for root, the XDG folders for everybody else.
// VMRUN_RUNTIME_DIR / VMRUN_STATE_DIR override both, so tests keep everything
// under a temporary folder. The names inside come from plan/vm_paths.

#include <string>

#include "plan/vm_paths.h"

namespace vmrun {

VmPaths vm_paths_for(const std::string& vm_name);

// Creates both folders, private to their owner, refusing foreign or
// symlinked ones (run/private_dir). Returns an error text or "".
std::string create_folders(const VmPaths& paths);
// The state folder alone (journal, log): for 'vmrun bind', which runs no VM.
std::string create_state_folder(const VmPaths& paths);
// Checks, without creating, that what exists of them can be trusted.
std::string check_folders(const VmPaths& paths);

}  // namespace vmrun
