// vmrun status NAME: run state, QEMU version, and what sits on each root port.

#include <iostream>
#include <map>
#include <set>

#include "base/cpu_list.h"
#include "host/cpu_affinity.h"
#include "run/cpu_pinning.h"

#include "cli/command.h"
#include "base/exit_codes.h"
#include "plan/hotplug_plan.h"
#include "cli/qmp_connect.h"

namespace vmrun::cli {

namespace {

// Each vCPU's thread and the host CPUs it may run on, read back from the
// kernel (so it shows what holds, not what was asked), then QEMU's other threads.
void print_vcpu_threads(qmp::Client& c, pid_t qemu) {
    auto threads = query_vcpu_threads(c);
    if (!threads.error.empty() || qemu <= 0) return;
    auto cpus_of = [&](pid_t tid) {
        auto cpus = thread_cpus(qemu, tid);
        return cpus ? format_cpu_list(*cpus) : std::string("?");
    };
    std::cout << "vcpus:\n";
    std::set<pid_t> vcpu_tids;
    for (const auto& v : threads.vcpus) {
        vcpu_tids.insert(v.thread);
        std::cout << "  " << v.index << ": thread " << v.thread << " on host CPUs " << cpus_of(v.thread) << "\n";
    }
    std::map<std::string, int> others;
    for (pid_t tid : threads_of(qemu))
        if (!vcpu_tids.count(tid)) ++others[cpus_of(tid)];
    for (const auto& [cpus, n] : others)
        std::cout << "emulator: " << n << " thread" << (n == 1 ? "" : "s") << " on host CPUs " << cpus << "\n";
}

}  // namespace

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
    print_vcpu_threads(c, read_pid_file(target->folder.qemu_pid_file()).value_or(0));
    if (auto balloon = c.execute("query-balloon"))  // an error: the VM has no balloon
        std::cout << "balloon: " << (balloon.value.value("actual", uint64_t(0)) >> 20) << " MiB in the guest\n";
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
