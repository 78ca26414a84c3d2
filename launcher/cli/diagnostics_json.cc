#include "cli/diagnostics_json.h"

namespace vmrun::cli {

nlohmann::json diagnostics_json(const std::string& path, const LoadedPlan& loaded) {
    nlohmann::json out = {{"file", path}, {"valid", bool(loaded.plan)}};
    if (loaded.plan) out["name"] = loaded.plan->profile.name;
    if (!loaded.read_error.empty()) out["read_error"] = loaded.read_error;
    auto list = nlohmann::json::array();
    int errors = 0, warnings = 0;
    for (const auto& d : loaded.diagnostics) {
        bool error = d.severity == Severity::error;
        (error ? errors : warnings)++;
        nlohmann::json item = {{"severity", error ? "error" : "warning"}, {"file", path}, {"line", d.loc.line},
                               {"column", d.loc.column}, {"message", d.message}};
        if (!d.hint.empty()) item["hint"] = d.hint;
        list.push_back(item);
    }
    out["errors"] = errors;
    out["warnings"] = warnings;
    out["diagnostics"] = list;
    return out;
}

}  // namespace vmrun::cli
