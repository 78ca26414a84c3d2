// vmrun stop NAME [--force] [--timeout S]: power the guest off through ACPI,
// and escalate when it does not go.
//
// The supervisor owns the stop ladder (ACPI power-off, QMP quit, SIGKILL);
// each SIGTERM moves it one step, so this command only signals and waits —
// on a pidfd, not in a polling loop.

#include <signal.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "host/process_watch.h"
#include "cli/vm_target.h"

namespace vmrun::cli {

int run_stop(const std::vector<std::string>& in) {
    auto args = in;
    auto target = take_target(args, "usage: vmrun stop NAME [--force] [--timeout SECONDS]\n");
    if (!target) return kExitUsage;
    bool force = false;
    int timeout = 90;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--force") force = true;
        else if (args[i] == "--timeout" && i + 1 < args.size()) timeout = std::atoi(args[++i].c_str());
        else {
            std::cerr << "vmrun stop: unknown argument " << args[i] << "\n";
            return kExitUsage;
        }
    }
    const auto& f = target->folder;
    pid_t supervisor = 0;
    if (!vm_running(f, supervisor) || supervisor <= 0) {
        std::cerr << "vmrun: " << f.name << " is not running\n";
        return kExitFailure;
    }
    ::kill(supervisor, force ? SIGUSR1 : SIGTERM);  // quit at once, or ACPI power-off first
    auto step = std::chrono::seconds(timeout);
    for (int escalations = 0; !wait_process_exit(supervisor, step); ++escalations) {
        if (escalations == 2) {
            std::cerr << "vmrun: the supervisor (pid " << supervisor << ") does not exit; try 'kill -9 " << supervisor
                      << "' and then 'vmrun restore " << f.name << "'\n";
            return kExitFailure;
        }
        std::cerr << "vmrun: " << f.name << " is still running; escalating\n";
        ::kill(supervisor, SIGTERM);
        step = std::chrono::seconds(15);
    }
    std::ifstream last_exit(f.last_exit_file());
    auto last = nlohmann::json::parse(last_exit, nullptr, false);
    if (last.is_discarded()) return kExitOk;
    std::cout << "vmrun: " << f.name << ": " << last.value("message", "stopped") << "\n";
    return last.value("code", 0);
}

}  // namespace vmrun::cli
