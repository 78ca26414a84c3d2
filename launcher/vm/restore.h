#pragma once
// vmrun restore: the host put back after a supervisor was killed or crashed —
// the VM's journal replayed (an orphaned QEMU stopped, driver binds, taps,
// bridge ports, huge pages, the runtime folder given back).

#include <string>

#include "plan/vm_paths.h"

namespace vmrun {

struct RestoreOutcome {
    int exit_code = 0;
    std::string refusal;  // the VM still runs: its supervisor restores the host itself
};

// The journal's replay prints what it puts back as it goes.
RestoreOutcome restore_vm(const VmPaths& vm);

}  // namespace vmrun
