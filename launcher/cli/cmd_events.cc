// vmrun events NAME: QEMU's events as JSON lines until interrupted. Uses the
// VM's events socket, so it never blocks the commands on qmp.sock.

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/vm_target.h"
#include "vm/qmp_connect.h"

namespace vmrun::cli {

int run_events(const ParsedArgs& args) {
    auto target = resolve_target(args);
    if (!target) return kExitUsage;
    std::string socket = target->folder.runtime_dir.empty() ? target->qmp_socket : target->folder.events_socket();
    auto client = connect_qmp(socket, target->folder.name);
    if (!client) return kExitFailure;
    client->subscribe([](const qmp::Event& e) { std::cout << e.raw.dump() << std::endl; });
    while (client->connected()) client->poll(std::chrono::hours(1));
    std::cerr << "vmrun: the VM's monitor closed (" << client->failure_detail() << ")\n";
    return kExitOk;
}

}  // namespace vmrun::cli
