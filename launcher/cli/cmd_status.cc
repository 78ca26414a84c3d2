// vmrun status NAME: run state, QEMU version, and what sits on each root port.

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "plan/hotplug_plan.h"
#include "cli/qmp_connect.h"

namespace vmrun::cli {

int run_status(const ParsedArgs& args) {
    auto target = resolve_target(args);
    if (!target) return kExitUsage;
    auto client = connect_qmp(target->qmp_socket, target->folder.name);
    if (!client) return kExitFailure;
    auto& c = *client;
    auto status = c.execute("query-status");
    auto name = c.execute("query-name");
    auto pci = c.execute("query-pci");
    if (!status || !pci) {
        std::cerr << "vmrun: " << (status ? pci : status).describe() << "\n";
        return kExitFailure;
    }
    const auto& v = c.version();
    std::cout << "name:    " << (name ? name.value.value("name", "?") : "?") << "\n"
              << "state:   " << status.value.value("status", "?") << "\n"
              << "qemu:    " << v.major << "." << v.minor << "." << v.micro << " (" << v.package << ")\n";
    pid_t supervisor = 0;
    if (!target->folder.runtime_dir.empty() && vm_running(target->folder, supervisor))
        std::cout << "pids:    supervisor " << supervisor << ", qemu " << read_pid_file(target->folder.qemu_pid_file()).value_or(0) << "\n";
    std::cout << "root ports:\n";
    for (const auto& rp : root_ports_in(pci.value)) {
        std::cout << "  " << rp.id << ":";
        if (rp.occupants.empty()) std::cout << " (free for hotplug)";
        for (const auto& o : rp.occupants) std::cout << " " << o;
        std::cout << "\n";
    }
    return kExitOk;
}

}  // namespace vmrun::cli
