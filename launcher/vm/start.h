#pragma once
// vmrun start: a planned VM run — every refusal before the first change, the
// instance lock, an earlier run's leftovers restored, the VM's folders made,
// then the supervisor, in this process or detached.

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "plan/force_bind.h"
#include "plan/launch_plan.h"

namespace vmrun {

struct StartRequest {
    std::string profile_path;  // for 'hotplug --persist': the file the plan came from
    std::string profile_text;  // and what it said
    bool detach = false;
    ForceBind force_bind;
    // Told at once of what does not stop the start (a foreground start returns only when the VM ends).
    std::function<void(const std::string&)> warn = [](const std::string&) {};
};

struct StartReport {
    int exit_code = 0;
    // Refused before any host change (preflight, folders, lock): each what and fix.
    std::vector<Failure> refusals;
    bool host_unchanged = false;        // the refusals came before anything was touched
    pid_t supervisor = 0;               // detached and ready
    std::optional<Failure> failure;     // detached and not ready: why
};

// Foreground: returns when the VM has ended (the supervisor runs here, and its
// own messages go to stderr as it goes). Detached: once the supervisor says it is ready.
StartReport start_vm(const LaunchPlan& plan, const StartRequest& request);

}  // namespace vmrun
