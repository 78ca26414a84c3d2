#include "vm/status.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "base/cpu_list.h"
#include "host/cpu/cpu_affinity.h"
#include "host/process_watch.h"
#include "vm/guest_agent.h"
#include "plan/hotplug_plan.h"
#include "plan/qmp_answers.h"
#include "host/cpu/cpu_pinning.h"
#include "run/input_objects.h"
#include "run/instance_lock.h"
#include "vm/qmp_connect.h"

namespace vmrun {

namespace {

// Each vCPU's thread and the host CPUs it may run on, read back from the
// kernel (so it shows what holds, not what was asked), then QEMU's other threads.
void add_threads(nlohmann::json& out, qmp::Client& c, pid_t qemu) {
    auto threads = query_vcpu_threads(c);
    if (!threads.error.empty() || qemu <= 0) return;
    auto cpus_of = [&](pid_t tid) {
        auto cpus = thread_cpus(qemu, tid);
        return cpus ? format_cpu_list(*cpus) : std::string("?");
    };
    std::set<pid_t> vcpu_tids;
    out["vcpus"] = nlohmann::json::array();
    for (const auto& v : threads.vcpus) {
        vcpu_tids.insert(v.thread);
        out["vcpus"].push_back({{"index", v.index}, {"thread", v.thread}, {"host_cpus", cpus_of(v.thread)}});
    }
    std::map<std::string, int> others;
    for (pid_t tid : threads_of(qemu))
        if (!vcpu_tids.count(tid)) ++others[cpus_of(tid)];
    out["emulator_threads"] = nlohmann::json::array();
    for (const auto& [cpus, n] : others) out["emulator_threads"].push_back({{"host_cpus", cpus}, {"threads", n}});
}

// The guest's TPM lives in swtpm, a process of its own: QEMU running says
// nothing about it.
void add_tpm(nlohmann::json& out, const VmPaths& folder) {
    auto pid = read_pid_file(folder.swtpm_pid_file());
    if (!pid) return;
    auto cmdline = process_cmdline(*pid);
    bool alive = process_alive(*pid) && !cmdline.empty() && std::filesystem::path(cmdline[0]).filename() == "swtpm";
    out["tpm"] = {{"swtpm_pid", *pid}, {"running", alive}};
    if (!alive) out["tpm"]["log"] = folder.swtpm_log();
}

// Each shared folder's virtiofsd, by the pid files vmrun wrote in order; its
// tag as QEMU's device has it.
void add_shared_folders(nlohmann::json& out, const VmPaths& folder, qmp::Client& c) {
    for (size_t i = 0;; ++i) {
        auto pid = read_pid_file(folder.virtiofsd_pid_file(i));
        if (!pid) return;
        auto cmdline = process_cmdline(*pid);
        bool alive = process_alive(*pid) && !cmdline.empty() && std::filesystem::path(cmdline[0]).filename() == "virtiofsd";
        auto tag = c.execute("qom-get", {{"path", "/machine/peripheral/vmrun-fs" + std::to_string(i) + "/virtio-backend"}, {"property", "tag"}});
        if (!out.contains("shared_folders")) out["shared_folders"] = nlohmann::json::array();
        out["shared_folders"].push_back({{"tag", tag && tag.value.is_string() ? tag.value.get<std::string>() : "?"},
                                         {"virtiofsd_pid", *pid},
                                         {"running", alive}});
    }
}

// Inputs whose device went away, as the supervisor lists them (input_replug).
void add_inputs_away(nlohmann::json& out, const VmPaths& folder) {
    auto state = read_input_replug_state(folder.input_replug_file());
    if (!state.away.empty()) out["inputs_away"] = state.away;
}

}  // namespace

std::optional<nlohmann::json> read_vm_status(const VmTarget& target) {
    auto client = connect_qmp(target.qmp_socket, target.folder.name);
    if (!client) return std::nullopt;
    auto& c = *client;
    auto status = c.execute("query-status");
    auto name = c.execute("query-name");
    auto pci = c.execute("query-pci");
    if (!status || !pci) {
        std::cerr << "vmrun: " << (status ? pci : status).describe() << "\n";
        return std::nullopt;
    }
    const auto& v = c.version();
    nlohmann::json st = {{"name", name ? name.value.value("name", "?") : "?"},
                         {"state", run_state_in(status.value)},
                         {"qemu", {{"version", std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.micro)},
                                   {"package", v.package}}}};
    pid_t supervisor = 0;
    auto qemu = read_pid_file(target.folder.qemu_pid_file()).value_or(0);
    if (!target.folder.runtime_dir.empty() && vm_running(target.folder, supervisor))
        st["pids"] = {{"supervisor", supervisor}, {"qemu", qemu}};
    add_threads(st, c, qemu);
    if (!target.folder.runtime_dir.empty()) {
        add_tpm(st, target.folder);
        add_shared_folders(st, target.folder, c);
        add_inputs_away(st, target.folder);
        // The guest's own view, when it has an agent: a short wait, status must not hang on a busy guest.
        std::error_code ec;
        if (std::filesystem::exists(target.folder.agent_socket(), ec))
            st["guest_agent"] = guest_agent_summary(target.folder, std::chrono::milliseconds(2000));
    }
    if (auto balloon = c.execute("query-balloon"))  // an error: the VM has no balloon
        st["balloon_mib"] = balloon_bytes_in(balloon.value).value_or(0) >> 20;
    st["root_ports"] = nlohmann::json::array();
    for (const auto& rp : root_ports_in(pci.value)) st["root_ports"].push_back({{"id", rp.id}, {"devices", rp.occupants}});
    return st;
}

}  // namespace vmrun
