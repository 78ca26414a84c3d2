// Huge pages on demand on this machine's real kernel (as root, sized small:
// the tiny guest's 256 MiB, 128 pages of 2M): the pool grows by what the VM
// lacks, QEMU's RAM is on those pages (its smaps and the pool's free count say
// so), vmrun's own hugetlbfs is mounted for the VM, and the pool and the mount
// are back as they were after stop, after QEMU is SIGKILLed, and after
// `vmrun restore` following a SIGKILLed supervisor. The pool is read straight
// from sysfs here, not through vmrun's code.
//
// The refusal (a kernel that finds fewer pages) and 1G pages are covered on
// a simulated kernel: asking this machine for more than it has would take all
// its free memory while other tests run.

#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include "run_vmrun.h"
#include "sim_kernel.h"
#include "sim_sysfs.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

const std::string kPool = "/sys/kernel/mm/hugepages/hugepages-2048kB/";

long pool_value(const std::string& file) {
    std::istringstream in(read_file(kPool + file));
    long v = -1;
    in >> v;
    return v;
}

bool mounted(const std::string& path) {
    std::istringstream in(read_file("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(in, line))
        if (line.find(" " + path + " ") != std::string::npos && line.find(" - hugetlbfs ") != std::string::npos) return true;
    return false;
}

// Huge-page-backed mappings of a process: Size of those whose KernelPageSize is 2048 kB, in kB.
long hugepage_mapped_kib(pid_t pid) {
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/smaps"));
    std::string line;
    long size = 0, total = 0;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string key;
        long v = 0;
        f >> key >> v;
        if (key == "Size:") size = v;
        if (key == "KernelPageSize:" && v == 2048) total += size;
    }
    return total;
}

struct HugeVm : VmUnderTest {
    long pool_before = -1, free_before = -1;
    explicit HugeVm(const std::string& vm_name) : VmUnderTest(vm_name) {
        write_file(profile, tiny_guest_profile(name, "hugepages: {size: 2M, allocate: true}\n"));
    }
    void start() {
        pool_before = pool_value("nr_hugepages");
        free_before = pool_value("free_hugepages");
        auto r = run_vmrun(env, {"start", profile});
        INFO("start: " << r.out << r.err);
        REQUIRE(r.exit_code == 0);
        // QEMU preallocated before it answered: its 128 pages are taken from a pool grown for them.
        long added = std::max(0L, 128 - free_before);
        CHECK(pool_value("nr_hugepages") == pool_before + added);
        CHECK(pool_value("free_hugepages") == free_before + added - 128);
        CHECK(hugepage_mapped_kib(qemu()) == 256 * 1024);
        CHECK(mounted(runtime() + "/hugepages"));
    }
    void require_pool_back() {
        for (int i = 0; i < 50 && pool_value("nr_hugepages") != pool_before; ++i) std::this_thread::sleep_for(100ms);
        CHECK(pool_value("nr_hugepages") == pool_before);
        CHECK(pool_value("free_hugepages") == free_before);
        CHECK_FALSE(mounted(runtime() + "/hugepages"));
    }
};

bool can_run() {
    if (::geteuid() != 0) {
        MESSAGE("SKIPPED: changing the kernel's huge page pool needs root");
        return false;
    }
    if (!fs::exists(kPool + "nr_hugepages")) {
        MESSAGE("SKIPPED: this kernel has no 2M huge page pool");
        return false;
    }
    return true;
}

}  // namespace

TEST_CASE("hugepages on demand: the pool grows for the VM, the guest runs on it, and the pool is back after stop") {
    if (!can_run()) return;
    HugeVm vm("huge-stop");
    vm.start();
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));
    auto stop = run_vmrun(vm.env, {"stop", vm.name});
    INFO(stop.out << stop.err);
    CHECK(stop.exit_code == 0);
    vm.require_pool_back();
    CHECK_FALSE(fs::exists(vm.state() + "/journal"));
}

TEST_CASE("hugepages on demand: QEMU SIGKILLed — the supervisor gives the pages back") {
    if (!can_run()) return;
    HugeVm vm("huge-crash");
    vm.start();
    pid_t qemu = vm.qemu();
    REQUIRE(qemu > 0);
    ::kill(qemu, SIGKILL);
    for (int i = 0; i < 100 && vm.supervisor(); ++i) std::this_thread::sleep_for(100ms);
    vm.require_pool_back();
}

TEST_CASE("hugepages on demand: supervisor SIGKILLed — vmrun restore stops QEMU and gives the pages back") {
    if (!can_run()) return;
    HugeVm vm("huge-restore");
    vm.start();
    pid_t supervisor = vm.supervisor();
    REQUIRE(supervisor > 0);
    ::kill(supervisor, SIGKILL);
    std::this_thread::sleep_for(300ms);
    CHECK(pool_value("nr_hugepages") >= vm.pool_before);  // still held: nobody gave them back yet
    auto restore = run_vmrun(vm.env, {"restore", vm.name});
    INFO(restore.out << restore.err);
    CHECK(restore.exit_code == 0);
    CHECK(restore.err.find("gave back") != std::string::npos);
    vm.require_pool_back();
    // Run again: nothing left to give back, nothing taken twice.
    long now = pool_value("nr_hugepages");
    CHECK(run_vmrun(vm.env, {"restore", vm.name}).exit_code == 0);
    CHECK(pool_value("nr_hugepages") == now);
}

TEST_CASE("hugepages on demand, simulated kernel: 1G pages the kernel cannot find — refused with the numbers, nothing kept") {
    VmUnderTest vm("huge-refused");
    std::string root = vm.dir / "sys-root";
    sim_i9_9900k(root);
    add_hugepage_pool(root, 1048576, 2, 1);
    SimKernel kernel(root);
    kernel.limit_hugepages(1048576, 3);
    vm.env.sysroot = root;
    write_file(vm.profile, tiny_guest_profile(vm.name, "").replace(tiny_guest_profile(vm.name, "").find("memory: 256M"), 12, "memory: 4G") +
                               "hugepages: {size: 1G, allocate: true}\n");
    // Detached too: its exit status must come after the teardown gave the pages back.
    std::string mode = "--foreground";
    SUBCASE("in the foreground") {}
    SUBCASE("detached") { mode = "--detach"; }
    auto r = run_vmrun(vm.env, {"start", mode, vm.profile});
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("the kernel found only 1 of the 3 more 1G huge pages this VM needs (4 in all;") != std::string::npos);
    CHECK(r.err.find("hugepagesz=1G hugepages=4") != std::string::npos);
    kernel.sync();
    CHECK(read_file(root + "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages") == "2\n");
    CHECK_FALSE(fs::exists(vm.state() + "/journal"));
    CHECK(vm.qemu() == 0);
    // Every pool write was journaled first; the last one gave back what was found.
    std::vector<std::string> pool_writes;
    for (const auto& w : kernel.writes())
        if (fs::path(w.file).filename() == "nr_hugepages") pool_writes.push_back(w.value);
    CHECK(pool_writes == std::vector<std::string>{"5", "2"});
}
