// vmrun validate PROFILE: report every problem in a profile, change nothing.

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/load_plan.h"

namespace vmrun::cli {

int run_validate(const ParsedArgs& args) {
    auto profile = args.positional("PROFILE");
    auto loaded = load_plan(profile);
    if (!loaded.plan) return loaded.exit_code;
    std::cout << profile << ": valid profile '" << loaded.plan->profile.name << "'\n";
    return kExitOk;
}

}  // namespace vmrun::cli
