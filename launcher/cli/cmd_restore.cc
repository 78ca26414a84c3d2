// vmrun restore NAME: put the host back after a supervisor was killed or
// crashed — replay the VM's journal (orphaned QEMU, runtime folder, and the
// driver binds and taps once those land).

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"
#include "run/supervisor.h"
#include "cli/vm_target.h"

namespace vmrun::cli {

int run_restore(const ParsedArgs& args) {
    auto folder = vm_named(args);
    if (!folder) return kExitUsage;
    if (!folders_trusted(*folder)) return kExitFailure;
    const auto& f = *folder;
    pid_t holder = 0;
    if (vm_running(f, holder)) {
        std::cerr << "vmrun: " << f.name << " is running" << describe_holder(holder) << "; its supervisor restores the host when it stops\n";
        return kExitFailure;
    }
    return restore_stale_journal(f, false) ? kExitOk : kExitFailure;
}

}  // namespace vmrun::cli
