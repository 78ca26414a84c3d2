#include "vm/restore.h"

#include "base/exit_codes.h"
#include "run/instance_lock.h"
#include "run/supervisor.h"

namespace vmrun {

RestoreOutcome restore_vm(const VmPaths& vm) {
    pid_t holder = 0;
    if (vm_running(vm, holder))
        return {kExitFailure, vm.name + " is running" + describe_holder(holder) + "; its supervisor restores the host when it stops"};
    return {restore_stale_journal(vm, false) ? kExitOk : kExitFailure, ""};
}

}  // namespace vmrun
