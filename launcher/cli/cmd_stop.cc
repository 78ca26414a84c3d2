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

int run_stop(const ParsedArgs& args) {
    auto folder = vm_named(args);
    if (!folder) return kExitUsage;
    bool force = args.flag("force");
    double timeout = args.seconds_or("timeout", 90);
    const auto& f = *folder;
    pid_t supervisor = 0;
    if (!vm_running(f, supervisor) || supervisor <= 0) {
        std::cerr << "vmrun: " << f.name << " is not running\n";
        return kExitFailure;
    }
    ::kill(supervisor, force ? SIGUSR1 : SIGTERM);  // quit at once, or ACPI power-off first
    std::chrono::milliseconds step(long(timeout * 1000));
    for (int escalations = 0; !wait_process_exit(supervisor, step); ++escalations) {
        if (escalations == 2) {
            std::cerr << "vmrun: the supervisor (pid " << supervisor << ") does not exit; try 'kill -9 " << supervisor
                      << "' and then 'vmrun restore " << f.name << "'\n";
            return kExitFailure;
        }
        std::cerr << "vmrun: " << f.name << " is still running; escalating\n";
        ::kill(supervisor, SIGTERM);
        step = std::chrono::milliseconds(15000);
    }
    std::ifstream last_exit(f.last_exit_file());
    auto last = nlohmann::json::parse(last_exit, nullptr, false);
    if (last.is_discarded()) return kExitOk;
    std::cout << "vmrun: " << f.name << ": " << last.value("message", "stopped") << "\n";
    return last.value("code", 0);
}

}  // namespace vmrun::cli
