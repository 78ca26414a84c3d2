// vmrun validate PROFILE: report every problem in a profile, change nothing.

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/load_plan.h"

namespace vmrun::cli {

int run_validate(const std::vector<std::string>& args) {
    if (args.size() != 1 || args[0].empty() || args[0][0] == '-') {
        std::cerr << "usage: vmrun validate PROFILE\n";
        return kExitUsage;
    }
    auto loaded = load_plan(args[0]);
    if (!loaded.plan) return loaded.exit_code;
    std::cout << args[0] << ": valid profile '" << loaded.plan->profile.name << "'\n";
    return kExitOk;
}

}  // namespace vmrun::cli
