// vmrun dry-run PROFILE: print the QEMU command vmrun would run, and nothing else.

#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/load_plan.h"
#include "plan/qemu_argv.h"
#include "plan/shell_quote.h"

namespace vmrun::cli {

int run_dry_run(const ParsedArgs& args) {
    bool json = args.flag("json");
    auto profile = args.positional("PROFILE");
    auto loaded = load_plan(profile);
    if (!loaded.plan) return loaded.exit_code;
    auto argv = build_qemu_argv(*loaded.plan);
    if (json) std::cout << nlohmann::json(argv).dump(2) << "\n";
    else std::cout << shell_join(argv) << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
