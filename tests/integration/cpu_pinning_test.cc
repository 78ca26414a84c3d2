// vCPU and emulator pinning on a real QEMU: the tiny guest boots under a
// profile that pins vCPU i to host CPU vcpus[i] and QEMU's other threads to
// the emulator set; while it runs, the kernel's own record of every thread
// (/proc/QEMU/task/TID/status, Cpus_allowed_list) must say exactly that.
// TCG runs one thread per vCPU (multi-threaded TCG, QEMU's default on x86).

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/cpu_list.h"
#include "host/cpu/cpu_affinity.h"
#include "run_vmrun.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

// The tiny guest's profile with cpu written as a mapping that carries `pin`.
std::string pinned_profile(const std::string& name, int smp, const std::string& pin) {
    auto text = tiny_guest_profile(name, "smp: " + std::to_string(smp) + "\n");
    for (const char* scalar : {"cpu: max\n", "cpu: host\n"}) {
        auto at = text.find(scalar);
        if (at == std::string::npos) continue;
        std::string model = std::string(scalar).substr(5, std::string(scalar).size() - 6);
        text.replace(at, std::string(scalar).size(), "cpu:\n  model: " + model + "\n  pin:\n" + pin);
    }
    return text;
}

// Read straight from procfs, not through vmrun's helpers.
std::string allowed_list(pid_t pid, const std::string& tid) {
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/task/" + tid + "/status"));
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Cpus_allowed_list:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 18));
    return "?";
}

}  // namespace

TEST_CASE("pinning: every vCPU thread on its host CPU and QEMU's other threads on the emulator set, while the guest runs") {
    auto online = vmrun::online_cpus("/");
    REQUIRE(online);
    REQUIRE(!online->empty());
    // Within this machine's CPUs; two vCPUs pinned crosswise show that vCPU i follows vcpus[i].
    int smp = online->size() >= 2 ? 2 : 1;
    int a = online->at(0), b = online->size() >= 2 ? online->at(1) : online->at(0);
    if (smp == 1) MESSAGE("this machine has one online CPU: pinning one vCPU and the emulator to CPU " << a);
    std::vector<int> vcpus = smp == 2 ? std::vector<int>{b, a} : std::vector<int>{a};
    std::string pin = "    vcpus: [" + (smp == 2 ? std::to_string(b) + ", " + std::to_string(a) : std::to_string(a)) +
                      "]\n    emulator: [" + std::to_string(a) + "]\n";

    VmUnderTest vm("pinned");
    write_file(vm.profile, pinned_profile(vm.name, smp, pin));
    auto start = run_vmrun(vm.env, {"start", vm.profile});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);
    REQUIRE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s));

    auto cpus = run_vmrun(vm.env, {"qmp", vm.name, "query-cpus-fast"});
    REQUIRE(cpus.exit_code == 0);
    auto list = nlohmann::json::parse(cpus.out);
    REQUIRE(list.size() == size_t(smp));
    pid_t qemu = vm.qemu();
    std::map<std::string, int> vcpu_of_thread;
    for (const auto& c : list) vcpu_of_thread[std::to_string(c.at("thread-id").get<int>())] = c.at("cpu-index").get<int>();
    REQUIRE(vcpu_of_thread.size() == size_t(smp));  // one thread per vCPU

    int others = 0;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(qemu) + "/task")) {
        auto tid = task.path().filename().string();
        auto it = vcpu_of_thread.find(tid);
        if (it != vcpu_of_thread.end()) {
            CHECK_MESSAGE(allowed_list(qemu, tid) == std::to_string(vcpus[it->second]), "vCPU " << it->second << " thread " << tid);
        } else {
            ++others;
            CHECK_MESSAGE(allowed_list(qemu, tid) == std::to_string(a), "QEMU thread " << tid);
        }
    }
    CHECK(others > 0);  // the main loop at least

    auto status = run_vmrun(vm.env, {"status", vm.name});
    INFO(status.out);
    CHECK(status.exit_code == 0);
    for (const auto& [tid, index] : vcpu_of_thread)
        CHECK(status.out.find("  " + std::to_string(index) + ": thread " + tid + " on host CPUs " + std::to_string(vcpus[index]) + "\n") !=
              std::string::npos);
    CHECK(status.out.find("emulator: " + std::to_string(others) + " thread") != std::string::npos);

    auto stop = run_vmrun(vm.env, {"stop", vm.name});
    CHECK(stop.exit_code == 0);
}

TEST_CASE("pinning to a CPU this host does not have is refused before anything starts") {
    VmUnderTest vm("pinned-away");
    write_file(vm.profile, pinned_profile(vm.name, 1, "    vcpus: [8000]\n"));
    auto start = run_vmrun(vm.env, {"start", "--foreground", vm.profile});
    INFO(start.err);
    CHECK(start.exit_code == 1);
    CHECK(start.err.find("host CPU 8000 in cpu.pin.vcpus is not online on this host (online: " +
                         vmrun::format_cpu_list(*vmrun::online_cpus("/")) + ")") != std::string::npos);
    CHECK(vm.qemu() == 0);
}
