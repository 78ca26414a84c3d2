// vmrun status NAME: run state, QEMU version, and what sits on each root port.

#include <iostream>

#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/vm_target.h"
#include "vm/status.h"

namespace vmrun::cli {

namespace {

void print_text(const nlohmann::json& st) {
    const auto& q = st["qemu"];
    std::cout << "name:    " << st["name"].get<std::string>() << "\n"
              << "state:   " << st["state"].get<std::string>() << "\n"
              << "qemu:    " << q["version"].get<std::string>() << " (" << q["package"].get<std::string>() << ")\n";
    if (st.contains("pids"))
        std::cout << "pids:    supervisor " << st["pids"]["supervisor"] << ", qemu " << st["pids"]["qemu"] << "\n";
    if (st.contains("vcpus")) {
        std::cout << "vcpus:\n";
        for (const auto& v : st["vcpus"])
            std::cout << "  " << v["index"] << ": thread " << v["thread"] << " on host CPUs " << v["host_cpus"].get<std::string>() << "\n";
        for (const auto& e : st["emulator_threads"]) {
            int n = e["threads"];
            std::cout << "emulator: " << n << " thread" << (n == 1 ? "" : "s") << " on host CPUs " << e["host_cpus"].get<std::string>() << "\n";
        }
    }
    if (st.contains("tpm")) {
        const auto& t = st["tpm"];
        if (t["running"].get<bool>())
            std::cout << "tpm:     swtpm (pid " << t["swtpm_pid"] << ") running\n";
        else
            std::cout << "tpm:     swtpm (pid " << t["swtpm_pid"] << ") has ended: the guest's TPM no longer answers (see "
                      << t["log"].get<std::string>() << ")\n";
    }
    if (st.contains("shared_folders"))
        for (const auto& f : st["shared_folders"])
            std::cout << "folder:  '" << f["tag"].get<std::string>() << "' served by virtiofsd (pid " << f["virtiofsd_pid"] << ")"
                      << (f["running"].get<bool>() ? "" : ", which has ended: the guest's folder no longer answers") << "\n";
    if (st.contains("inputs_away"))
        for (const auto& w : st["inputs_away"])
            std::cout << "input:   '" << w["id"].get<std::string>() << "' " << w["device"].get<std::string>()
                      << " is unplugged; attached again when it comes back\n";
    if (st.contains("guest_agent")) {
        const auto& a = st["guest_agent"];
        if (!a["answering"].get<bool>()) std::cout << "agent:   not answering (" << a["why"].get<std::string>() << ")\n";
        else {
            std::cout << "agent:   qemu-ga " << a.value("version", std::string("?")) << "\n";
            for (const auto& nic : a["interfaces"]) {
                std::cout << "  " << nic["name"].get<std::string>() << ":";
                for (const auto& ip : nic["addresses"]) std::cout << " " << ip.get<std::string>();
                std::cout << "\n";
            }
        }
    }
    if (st.contains("balloon_mib")) std::cout << "balloon: " << st["balloon_mib"] << " MiB in the guest\n";
    std::cout << "root ports:\n";
    for (const auto& rp : st["root_ports"]) {
        std::cout << "  " << rp["id"].get<std::string>() << ":";
        if (rp["devices"].empty()) std::cout << " (free for hotplug)";
        for (const auto& o : rp["devices"]) std::cout << " " << o.get<std::string>();
        std::cout << "\n";
    }
}

}  // namespace

int run_status(const ParsedArgs& args) {
    auto target = resolve_target(args);
    if (!target) return kExitUsage;
    auto st = read_vm_status(*target);
    if (!st) return kExitFailure;
    if (args.flag("json")) std::cout << st->dump(2) << "\n";
    else print_text(*st);
    return kExitOk;
}

}  // namespace vmrun::cli
