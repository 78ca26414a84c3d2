#pragma once
// Shared first phases of every command that takes a profile: read, validate,
// gather host facts, plan. Prints diagnostics and says which exit code to use.

#include <optional>
#include <string>
#include <vector>

#include "plan/launch_plan.h"

namespace vmrun {

struct LoadedPlan {
    std::optional<LaunchPlan> plan;
    int exit_code = 0;  // meaningful when !plan
    std::string profile_text;  // the text the plan was made from
    std::string read_error;    // the profile could not be read
    std::vector<Diagnostic> diagnostics;  // the loader's, then the plan's, each in file order
};

// With `print` the diagnostics go to stderr as they are found (the text
// form); without, they are only returned (for --json).
LoadedPlan load_plan(const std::string& profile_path, bool print = true);

// Host facts read from this machine (paths, vhost-net), for profile `name`.
HostFacts probe_host_facts(const std::string& name);

}  // namespace vmrun
