// The memory balloon on a real QEMU and the tiny guest: `balloon: true` gives
// the guest a virtio-balloon its kernel binds, `vmrun balloon NAME SIZE`
// returns only once the guest reports that size, `vmrun status` shows it,
// and a VM without a balloon is told how to get one.

#include <doctest/doctest.h>

#include "text_has.h"
#include "guest_console.h"
#include "run_vmrun.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;

namespace {


void start(VmUnderTest& vm, const std::string& extra) {
    write_file(vm.profile, tiny_guest_profile(vm.name, extra));
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));
}

}  // namespace

TEST_CASE("balloon: the guest's driver takes the balloon, vmrun balloon waits until the guest has the size, status shows it") {
    VmUnderTest vm("balloon");
    start(vm, "balloon: true\n");
    // The guest's own kernel bound its driver to the device vmrun added.
    CHECK(has(guest_run(vm.env, vm.name, "ls /sys/bus/virtio/drivers/virtio_balloon/"), "virtio"));

    auto down = run_vmrun(vm.env, {"balloon", vm.name, "160M"});
    INFO(down.out << down.err);
    CHECK(down.exit_code == 0);
    CHECK(has(down.out, "balloon: the guest has 160 MiB (asked 160 MiB)"));
    auto status = run_vmrun(vm.env, {"status", vm.name});
    CHECK(has(status.out, "balloon: 160 MiB in the guest"));
    // What the guest itself sees: its MemTotal shrank by at least the 96 MiB taken.
    auto meminfo = guest_run(vm.env, vm.name, "grep MemTotal /proc/meminfo");
    long kib = 0;
    if (auto at = meminfo.find("MemTotal:"); at != std::string::npos) kib = std::stol(meminfo.substr(at + 9));
    CHECK(kib > 0);
    CHECK(kib <= 160 * 1024);

    auto up = run_vmrun(vm.env, {"balloon", vm.name, "256M"});
    CHECK(up.exit_code == 0);
    CHECK(has(run_vmrun(vm.env, {"status", vm.name}).out, "balloon: 256 MiB in the guest"));

    auto bad = run_vmrun(vm.env, {"balloon", vm.name, "lots"});
    CHECK(bad.exit_code != 0);
    CHECK(has(bad.err, "SIZE is the guest's memory with a unit"));
    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
}

TEST_CASE("balloon: a VM without one is told how to get one") {
    VmUnderTest vm("no-balloon");
    start(vm, "");
    auto r = run_vmrun(vm.env, {"balloon", vm.name, "128M"});
    CHECK(r.exit_code != 0);
    CHECK(has(r.err, "has no memory balloon"));
    CHECK(has(r.err, "set 'balloon: true'"));
    CHECK_FALSE(has(run_vmrun(vm.env, {"status", vm.name}).out, "balloon:"));
    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
}
