// vmrun systemd-unit PROFILE: print a unit that starts the VM at boot.

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "vm/load_plan.h"
#include "plan/systemd_unit.h"

namespace vmrun::cli {

int run_systemd_unit(const ParsedArgs& args) {
    auto profile_path = args.positional("PROFILE");
    auto loaded = load_plan(profile_path);
    if (!loaded.plan) return loaded.exit_code;
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    auto profile = std::filesystem::absolute(profile_path, ec).lexically_normal();
    for (const auto& path : {self.string(), profile.string()})
        if (auto problem = unit_path_problem(path); !problem.empty()) {
            std::cerr << "vmrun: " << problem << "\n";
            return kExitUsage;
        }
    std::cout << systemd_unit(loaded.plan->profile, self.string(), profile.string());
    return kExitOk;
}

}  // namespace vmrun::cli
