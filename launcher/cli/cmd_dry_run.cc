// vmrun dry-run PROFILE: print the QEMU command vmrun would run, and nothing else.

#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/load_plan.h"
#include "plan/qemu_argv.h"
#include "plan/shell_quote.h"

namespace vmrun::cli {

int run_dry_run(const std::vector<std::string>& args) {
    bool json = false;
    std::string profile;
    for (const auto& a : args) {
        if (a == "--json") json = true;
        else if (a == "--dry-run") continue;
        else if (!a.empty() && a[0] == '-') {
            std::cerr << "vmrun dry-run: unknown option " << a << " (see vmrun dry-run --help)\n";
            return kExitUsage;
        } else if (profile.empty()) profile = a;
        else {
            std::cerr << "vmrun dry-run: one profile at a time, got " << profile << " and " << a << "\n";
            return kExitUsage;
        }
    }
    if (profile.empty()) {
        std::cerr << "vmrun dry-run: which profile? usage: vmrun --dry-run PROFILE [--json]\n";
        return kExitUsage;
    }
    auto loaded = load_plan(profile);
    if (!loaded.plan) return loaded.exit_code;
    auto argv = build_qemu_argv(*loaded.plan);
    if (json) std::cout << nlohmann::json(argv).dump(2) << "\n";
    else std::cout << shell_join(argv) << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
