#pragma once
// Runs the whole pure pipeline on a profile text: load, check, plan.

#include <optional>
#include <string>
#include <vector>

#include "plan/launch_plan.h"
#include "profile/profile_checks.h"
#include "profile/profile_loader.h"

namespace vmrun::testing {

inline HostFacts fixed_facts(const std::string& name) {
    HostFacts f;
    f.paths = {name, "/run/vmrun/" + name, "/var/lib/vmrun/" + name};
    return f;
}

struct Pipeline {
    LoadedProfile loaded;
    PlanResult planned;
    // Every problem's "file:line:col: message", errors only, sorted by position.
    std::vector<std::string> errors() const {
        std::vector<std::string> out;
        for (auto* ds : {&loaded.diagnostics, &planned.diagnostics})
            for (const auto& d : ds->sorted())
                if (d.severity == Severity::error) out.push_back(d.headline("bad.yaml"));
        return out;
    }
};

// `facts`: the host the plan is made for (SR-IOV PFs, ...); fixed_facts when not given.
inline Pipeline run_pipeline(const std::string& yaml, const std::string& base_dir = "/vm",
                             const std::optional<HostFacts>& facts = std::nullopt) {
    Pipeline p;
    p.loaded = load_profile(yaml, "bad.yaml", base_dir);
    complete_and_check_profile(p.loaded.profile, p.loaded.diagnostics);
    if (!p.loaded.diagnostics.has_errors())
        p.planned = make_launch_plan(p.loaded.profile, facts ? *facts : fixed_facts(p.loaded.profile.name));
    return p;
}

}  // namespace vmrun::testing
