// vmrun validate PROFILE [--json]: report every problem in a profile, change nothing.

#include <iostream>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/diagnostics_json.h"
#include "vm/load_plan.h"

namespace vmrun::cli {

int run_validate(const ParsedArgs& args) {
    auto profile = args.positional("PROFILE");
    bool json = args.flag("json");
    auto loaded = load_plan(profile, !json);
    if (json) std::cout << diagnostics_json(profile, loaded).dump(2) << "\n";
    if (!loaded.plan) return loaded.exit_code;
    if (!json) std::cout << profile << ": valid profile '" << loaded.plan->profile.name << "'\n";
    return kExitOk;
}

}  // namespace vmrun::cli
