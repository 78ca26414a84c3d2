#pragma once
// Where a VM's runtime files (sockets, pid, lock) and state (OVMF VARS,
// journal, log) live: /run/vmrun/NAME and /var/lib/vmrun/NAME for root, the
// XDG folders for everybody else. VMRUN_RUNTIME_DIR / VMRUN_STATE_DIR override
// both, so tests keep everything under a temporary folder.

#include <string>

namespace vmrun {

struct VmFolders {
    std::string runtime_dir;
    std::string state_dir;
};

VmFolders vm_folders(const std::string& vm_name);

}  // namespace vmrun
