#pragma once
// Where a VM's folders are and creating them: /run/vmrun/NAME and
// /var/lib/vmrun/NAME for root, the XDG folders for everybody else.
// VMRUN_RUNTIME_DIR / VMRUN_STATE_DIR override both, so tests keep everything
// under a temporary folder. The names inside come from plan/vm_paths.

#include <string>

#include "plan/vm_paths.h"

namespace vmrun {

VmPaths vm_paths_for(const std::string& vm_name);

// Creates both folders, private to their owner. Returns an error text or "".
std::string create_folders(const VmPaths& paths);

}  // namespace vmrun
