// vmrun PROFILE / vmrun start PROFILE [--detach]: the whole launch.

#include <iostream>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/force_bind_option.h"
#include "vm/load_plan.h"
#include "vm/print_problems.h"
#include "vm/start.h"

namespace vmrun::cli {

int run_start(const ParsedArgs& args) {
    auto profile = args.positional("PROFILE");
    bool detach = args.flag("detach"), foreground = args.flag("foreground");
    auto force_bind = force_bind_option(args);
    if (!force_bind) return kExitUsage;
    auto loaded = load_plan(profile);
    if (!loaded.plan) return loaded.exit_code;
    const auto& plan = *loaded.plan;
    const auto& name = plan.profile.name;

    StartRequest request;
    request.profile_path = profile;
    request.profile_text = loaded.profile_text;
    request.detach = detach || (plan.profile.headless && !foreground);
    request.force_bind = *force_bind;
    request.warn = [](const std::string& text) { std::cerr << "vmrun: warning: " << text << "\n"; };
    auto report = start_vm(plan, request);

    print_problems(report.refusals);
    if (report.host_unchanged) std::cerr << "vmrun: " << name << " was not started; nothing on the host was changed\n";
    if (!report.refusals.empty() || !request.detach) return report.exit_code;
    if (report.exit_code == kExitOk) {
        std::cout << "vmrun: started " << name << " (supervisor pid " << report.supervisor << ")\n"
                  << "  console: vmrun console " << name << "\n"
                  << "  stop:    vmrun stop " << name << "\n"
                  << "  log:     " << plan.paths().log_file() << "\n";
    } else {
        std::cerr << "vmrun: " << name << " did not start: " << report.failure->what << "\n";
        if (!report.failure->fix.empty()) std::cerr << "  fix: " << report.failure->fix << "\n";
    }
    return report.exit_code;
}

}  // namespace vmrun::cli
