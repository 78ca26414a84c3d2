// vmrun validate PROFILE [--json]: report every problem in a profile, change nothing.

#include <iostream>

#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/load_plan.h"

namespace vmrun::cli {

namespace {

// {"file", "valid", "name", "errors", "warnings", "diagnostics": [{severity, line, column, message}]}
nlohmann::json validation_json(const std::string& path, const LoadedPlan& loaded) {
    nlohmann::json out = {{"file", path}, {"valid", bool(loaded.plan)}};
    if (loaded.plan) out["name"] = loaded.plan->profile.name;
    if (!loaded.read_error.empty()) out["read_error"] = loaded.read_error;
    auto list = nlohmann::json::array();
    int errors = 0, warnings = 0;
    for (const auto& d : loaded.diagnostics) {
        bool error = d.severity == Severity::error;
        (error ? errors : warnings)++;
        list.push_back({{"severity", error ? "error" : "warning"}, {"file", path}, {"line", d.loc.line},
                        {"column", d.loc.column}, {"message", d.message}});
    }
    out["errors"] = errors;
    out["warnings"] = warnings;
    out["diagnostics"] = list;
    return out;
}

}  // namespace

int run_validate(const ParsedArgs& args) {
    auto profile = args.positional("PROFILE");
    bool json = args.flag("json");
    auto loaded = load_plan(profile, !json);
    if (json) std::cout << validation_json(profile, loaded).dump(2) << "\n";
    if (!loaded.plan) return loaded.exit_code;
    if (!json) std::cout << profile << ": valid profile '" << loaded.plan->profile.name << "'\n";
    return kExitOk;
}

}  // namespace vmrun::cli
