#include "host/cpu/cpu_pinning.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <spdlog/spdlog.h>

#include "base/cpu_list.h"
#include "host/cpu/cpu_affinity.h"

namespace vmrun {

VcpuThreads query_vcpu_threads(qmp::Client& client) {
    VcpuThreads out;
    auto reply = client.execute("query-cpus-fast");
    if (!reply) {
        out.error = "query-cpus-fast failed: " + reply.describe();
        return out;
    }
    return vcpu_threads_in(reply.value);
}

VcpuThreads vcpu_threads_in(const qmp::Json& answer) {
    VcpuThreads out;
    if (!answer.is_array()) {
        out.error = "query-cpus-fast did not answer with a list";
        return out;
    }
    for (const auto& cpu : answer) {
        auto index = cpu.find("cpu-index");
        auto thread = cpu.find("thread-id");
        if (index == cpu.end() || thread == cpu.end() || !index->is_number_integer() || !thread->is_number_integer()) {
            out.error = "query-cpus-fast gave a vCPU without cpu-index or thread-id";
            return out;
        }
        out.vcpus.push_back({index->get<int>(), thread->get<pid_t>()});
    }
    std::sort(out.vcpus.begin(), out.vcpus.end(), [](const VcpuThread& a, const VcpuThread& b) { return a.index < b.index; });
    return out;
}

std::optional<Failure> pin_qemu_threads(qmp::Client& client, pid_t qemu, const CpuPinning& pin) {
    auto failed = [](std::string what, std::string fix = {}) { return Failure{"cannot pin QEMU's threads: " + std::move(what), std::move(fix), "cpu.pin"}; };
    auto threads = query_vcpu_threads(client);
    if (!threads.error.empty()) return failed(threads.error);
    std::set<pid_t> vcpu_threads;
    for (const auto& v : threads.vcpus) vcpu_threads.insert(v.thread);
    if (!pin.vcpus.empty()) {
        if (vcpu_threads.size() != threads.vcpus.size())
            return failed("QEMU runs several vCPUs on one thread (single-threaded TCG), so they cannot be pinned one by one",
                          "use accelerator kvm, or remove cpu.pin.vcpus");
        if (threads.vcpus.size() != pin.vcpus.size())
            return failed("QEMU has " + std::to_string(threads.vcpus.size()) + " vCPUs but cpu.pin.vcpus lists " +
                          std::to_string(pin.vcpus.size()));
        for (const auto& v : threads.vcpus) {
            if (v.index < 0 || size_t(v.index) >= pin.vcpus.size())
                return failed("QEMU reports vCPU " + std::to_string(v.index) + ", which cpu.pin.vcpus does not cover");
            int cpu = pin.vcpus[size_t(v.index)];
            if (auto err = set_thread_cpus(v.thread, {cpu}); !err.empty()) return failed("vCPU " + std::to_string(v.index) + ": " + err);
            spdlog::info("vCPU {} (thread {}) runs on host CPU {}", v.index, v.thread, cpu);
        }
    }
    if (!pin.emulator.empty()) {
        int n = 0;
        for (pid_t tid : threads_of(qemu)) {
            if (vcpu_threads.count(tid)) continue;
            auto err = set_thread_cpus(tid, pin.emulator);
            // A worker may end between the listing and the call; only a live thread's failure counts.
            if (!err.empty() && std::filesystem::exists("/proc/" + std::to_string(qemu) + "/task/" + std::to_string(tid)))
                return failed("emulator thread: " + err);
            if (err.empty()) ++n;
        }
        spdlog::info("{} other QEMU thread{} run on host CPUs {}", n, n == 1 ? "" : "s", format_cpu_list(pin.emulator));
    }
    return std::nullopt;
}

}  // namespace vmrun
