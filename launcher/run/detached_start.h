#pragma once
// A detached start: the supervisor forked into a new session, its output in
// the state folder's log, and the caller told once it is ready (or why not).

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/failure.h"

#include "plan/launch_plan.h"
#include "run/instance_lock.h"
#include "run/supervisor.h"
#include "run/vm_folders.h"

namespace vmrun {

struct DetachedStart {
    bool ready = false;
    pid_t supervisor = 0;  // when ready
    std::optional<Failure> failure;  // when not: the supervisor's report (QEMU's last lines among it), or why it never gave one
};

// The child inherits `lock` (the parent's copy closes when the caller drops it).
DetachedStart supervise_detached(const LaunchPlan& plan, const VmPaths& folder, SuperviseOptions options, InstanceLock& lock);

}  // namespace vmrun
