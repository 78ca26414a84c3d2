// vmrun systemd-unit PROFILE: print a unit that starts the VM at boot.

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/load_plan.h"
#include "plan/systemd_unit.h"

namespace vmrun::cli {

int run_systemd_unit(const std::vector<std::string>& args) {
    if (args.size() != 1) {
        std::cerr << "usage: vmrun systemd-unit PROFILE\n";
        return kExitUsage;
    }
    auto loaded = load_plan(args[0]);
    if (!loaded.plan) return loaded.exit_code;
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    auto profile = std::filesystem::absolute(args[0], ec).lexically_normal();
    std::cout << systemd_unit(loaded.plan->profile, self.string(), profile.string());
    return kExitOk;
}

}  // namespace vmrun::cli
