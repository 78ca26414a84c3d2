// vmrun check [PROFILE]: is this host ready — for vmrun in general, or for
// one profile (its devices and groups, firmware files, bridges, huge pages)?

#include <cstdlib>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/diagnostics_json.h"
#include "vm/host_check_report.h"
#include "vm/load_plan.h"

namespace vmrun::cli {

int run_check(const ParsedArgs& args) {
    auto profile = args.positional("PROFILE");
    auto sysroot = args.value("sysroot");
    bool json = args.flag("json");
    std::optional<LaunchPlan> plan;
    if (!profile.empty()) {
        auto loaded = load_plan(profile, !json);
        if (!loaded.plan) {
            if (json) std::cout << diagnostics_json(profile, loaded).dump(2) << "\n";
            return loaded.exit_code;
        }
        plan = std::move(loaded.plan);
    }
    std::string root = sysroot ? *sysroot : plan ? plan->facts.sysroot : probe_host_facts("check").sysroot;
    if (plan) plan->facts.sysroot = root;
    auto lines = check_host_for(plan ? &*plan : nullptr, root);

    int counts[3] = {0, 0, 0};
    for (const auto& l : lines) ++counts[int(l.verdict)];
    if (json) {
        auto checks = nlohmann::json::array();
        for (const auto& l : lines)
            checks.push_back({{"verdict", verdict_key(l.verdict)}, {"topic", l.topic}, {"text", l.text},
                              {"fix", l.fix.empty() ? nlohmann::json() : nlohmann::json(l.fix)}});
        nlohmann::json out = {{"profile", plan ? nlohmann::json(profile) : nlohmann::json()}, {"checks", checks},
                              {"passed", counts[0]}, {"warnings", counts[1]}, {"failed", counts[2]}};
        std::cout << out.dump(2) << "\n";
        return counts[int(Verdict::fail)] ? kExitFailure : kExitOk;
    }
    std::cout << "vmrun check" << (plan ? " " + profile : std::string(" (host)")) << "\n";
    for (const auto& l : lines) {
        std::cout << verdict_name(l.verdict) << "  " << std::left << std::setw(11) << l.topic << l.text << "\n";
        if (!l.fix.empty() && l.verdict != Verdict::pass) std::cout << std::string(17, ' ') << "fix: " << l.fix << "\n";
    }
    std::cout << counts[0] << " passed, " << counts[1] << " warnings, " << counts[2] << " failed\n";
    return counts[int(Verdict::fail)] ? kExitFailure : kExitOk;
}

}  // namespace vmrun::cli
