#pragma once
// Runs one VM from a validated plan to its end: prepares the host under the
// journal, starts QEMU paused (argv, no shell), continues it over QMP, then
// waits — event-driven, no polling — for QEMU to exit or for a stop request,
// and finally restores the host from the journal whatever happened.

#include <chrono>
#include <string>

#include "host/pci/host_usage.h"
#include "plan/launch_plan.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"

namespace vmrun {

struct SuperviseOptions {
    std::chrono::seconds grace{60};  // ACPI power-off to `quit`
    int ready_fd = -1;               // detached start: "READY <pid>\n" or "ERROR <text>\n" goes here
    ForceBind force_bind;            // --force-bind: the kinds of host use to take passthrough devices despite
};

// Returns the exit code (exit_codes.h). The caller holds the instance lock.
int supervise_vm(const LaunchPlan& plan, const VmPaths& folder, const SuperviseOptions& options);

// Replays a journal left by a run that did not end cleanly. Prints what it did;
// returns false when something could not be put back.
bool restore_stale_journal(const VmPaths& folder, bool quiet_if_none);

}  // namespace vmrun
