// Tap networking set up by vmrun inside a network namespace the test creates
// (never the host's interfaces): the tap is made, up, a port of the bridge with
// the bridge's MTU; the tiny guest answers pings on it and pings back; and
// whatever way the VM ends, the namespace is left exactly as it was.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "text_has.h"
#include "guest_console.h"
#include "host/host_restore.h"
#include "host/journal.h"
#include "host/net/network_setup.h"
#include "net_namespace.h"
#include "host/process_watch.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"
#include "run_vmrun.h"
#include "temp_dir.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {


// Runs `work` on a thread inside `ns`: setns applies to the calling thread
// only, so vmrun's own code under test runs in the namespace and the test's
// thread stays in the host's.
template <typename Work>
void inside_namespace(const NetNamespace& ns, Work work) {
    bool entered = false;
    std::thread inside([&] {
        int fd = ::open(("/run/netns/" + ns.name()).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) return;
        ::close(fd);
        entered = true;
        work();
    });
    inside.join();
    REQUIRE_MESSAGE(entered, "cannot enter the namespace " << ns.name());
}

// The namespace first: it must outlive the VM (the base class) it hosts.
struct Namespace {
    NetNamespace ns;
};

struct TapVm : Namespace, VmUnderTest {
    TapVm(const std::string& vm_name, const std::string& nics) : VmUnderTest(vm_name, ns.name()) {
        write_file(profile, "name: " + name + "\naccelerator: tcg\ncpu: max\nmemory: 256M\n"
                            "kernel:\n  image: " + tiny_guest_dir() + "/vmlinuz\n  initrd: " + tiny_guest_dir() +
                            "/initrd.cpio.gz\n  cmdline: console=ttyS0 panic=-1 loglevel=4 vmrun.ip=10.77.0.2/24\n"
                            "serial: socket\nheadless: true\nnetwork:\n" + nics);
    }
    void add_bridge(const std::string& bridge, int mtu) {
        // A fixed address, as a real bridge gets from its uplink: it must not change when ports come and go.
        ns.ip("-n " + ns.name() + " link add " + bridge + " address 02:00:00:77:00:01 type bridge");
        ns.ip("-n " + ns.name() + " link set " + bridge + " mtu " + std::to_string(mtu) + " up");
        ns.ip("-n " + ns.name() + " addr add 10.77.0.1/24 dev " + bridge);
    }
    nlohmann::json link(const std::string& ifname) const {
        auto all = nlohmann::json::parse(ns.ip("-n " + ns.name() + " -j -d link show"));
        for (const auto& l : all)
            if (l.value("ifname", "") == ifname) return l;
        return nullptr;
    }
    void start() {
        auto r = run_vmrun(env, {"start", profile});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        REQUIRE_MESSAGE(wait_for_text(state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(state() + "/console.log"));
    }
    // The tap vmrun names for NIC index 0 of this VM.
    std::string tap() const {
        auto all = nlohmann::json::parse(ns.ip("-n " + ns.name() + " -j -d link show"));
        for (const auto& l : all)
            if (l.contains("linkinfo") && l["linkinfo"].value("info_kind", "") == "tun") return l["ifname"];
        return "";
    }
};

}  // namespace

TEST_CASE("tap on a bridge: made, up, on the bridge with its MTU; real pings both ways; the namespace left as it was") {
    TapVm vm("net-ping", "  - type: tap\n    bridge: br0\n");
    vm.add_bridge("br0", 1400);
    auto before = vm.ns.links();
    vm.start();

    auto tap = vm.tap();
    REQUIRE_FALSE(tap.empty());
    CHECK(tap.size() <= 15);
    auto l = vm.link(tap);
    CHECK(l.value("master", "") == "br0");
    CHECK(l.value("mtu", 0) == 1400);
    CHECK(has(l["flags"].dump(), "\"UP\""));

    std::string out;
    CHECK_MESSAGE(vm.ns.exec("busybox ping -c 3 -W 5 10.77.0.2", out) == 0, out);
    CHECK(has(out, "3 packets received"));
    auto back = guest_run(vm.env, vm.name, "ping -c 2 -W 5 10.77.0.1");
    CHECK_MESSAGE(has(back, "2 packets received"), back);

    auto stop = run_vmrun(vm.env, {"stop", vm.name});
    CHECK(stop.exit_code == 0);
    CHECK(vm.ns.links() == before);
}

TEST_CASE("a bridge that does not exist: refused before any change, with how to create it") {
    TapVm vm("net-nobridge", "  - type: tap\n    bridge: br9\n");
    auto before = vm.ns.links();
    auto r = run_vmrun(vm.env, {"start", "--foreground", vm.profile});
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "bridge br9 (for NIC 'net0') does not exist"));
    CHECK(has(r.err, "ip link add br9 type bridge"));
    CHECK(has(r.err, "nothing on the host was changed"));
    CHECK(vm.ns.links() == before);
}

TEST_CASE("QEMU SIGKILLed: the fd-passed tap dies with it, and the bridge vmrun created is removed") {
    TapVm vm("net-qemu-kill", "  - type: tap\n    bridge: vmbr0\n    create_bridge: true\n");
    auto before = vm.ns.links();
    vm.start();
    CHECK(vm.link("vmbr0") != nullptr);
    auto tap = vm.tap();
    REQUIRE_FALSE(tap.empty());
    pid_t supervisor = vm.supervisor();
    ::kill(vm.qemu(), SIGKILL);
    REQUIRE(vmrun::wait_process_exit(supervisor, 30s));
    CHECK(vm.link(tap) == nullptr);
    CHECK(vm.link("vmbr0") == nullptr);
    CHECK(vm.ns.links() == before);
    CHECK_FALSE(fs::exists(vm.state() + "/journal"));
}

TEST_CASE("supervisor SIGKILLed mid-run: tap and created bridge stay with the orphan until vmrun restore removes them") {
    TapVm vm("net-crash", "  - type: tap\n    bridge: vmbr1\n    create_bridge: true\n");
    auto before = vm.ns.links();
    vm.start();
    auto tap = vm.tap();
    REQUIRE_FALSE(tap.empty());
    pid_t supervisor = vm.supervisor(), qemu = vm.qemu();
    ::kill(supervisor, SIGKILL);
    REQUIRE(vmrun::wait_process_exit(supervisor, 10s));
    CHECK(vm.link(tap) != nullptr);  // QEMU still holds it
    auto r = run_vmrun(vm.env, {"restore", vm.name});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.err, "removed bridge vmbr1 (vmrun created it)"));
    CHECK_FALSE(vmrun::process_alive(qemu));
    CHECK(vm.ns.links() == before);
    auto again = run_vmrun(vm.env, {"restore", vm.name});
    CHECK(has(again.err, "nothing to restore"));
}

TEST_CASE("hotplug --nic tap: a tap on the bridge, the guest's new interface answers pings; unplug removes the tap") {
    TapVm vm("net-hotplug", "  - type: user\n");
    vm.add_bridge("br0", 1500);
    auto before = vm.ns.links();
    vm.start();
    auto r = run_vmrun(vm.env, {"hotplug", vm.name, "--nic", "tap", "--bridge", "br0", "--id", "lan"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto tap = vm.tap();
    REQUIRE_FALSE(tap.empty());
    CHECK(vm.link(tap).value("master", "") == "br0");
    // The hotplugged NIC is the guest's second interface; the subnet moves to it
    // from the user-mode NIC that took vmrun.ip at boot.
    REQUIRE(wait_for_text(vm.state() + "/console.log", "VMRUN-UEVENT add net eth1", 60s));
    guest_run(vm.env, vm.name, "ip addr flush dev eth0; ip addr add 10.77.0.3/24 dev eth1 && ip link set eth1 up");
    std::string out;
    CHECK_MESSAGE(vm.ns.exec("busybox ping -c 3 -W 5 10.77.0.3", out) == 0, out);

    auto un = run_vmrun(vm.env, {"unplug", vm.name, "lan"});
    INFO(un.out << un.err);
    CHECK(un.exit_code == 0);
    CHECK(vm.link(tap) == nullptr);
    run_vmrun(vm.env, {"stop", vm.name});
    CHECK(vm.ns.links() == before);
}

TEST_CASE("setup failing halfway (second NIC's bridge missing): the journal replay removes the first tap and the bridge it created") {
    NetNamespace ns;
    TempDir dir;
    auto before = ns.links();
    std::string error, where, links_during;
    vmrun::RestoreReport report;
    inside_namespace(ns, [&] {
        vmrun::Journal journal(dir / "journal");
        auto setup = vmrun::set_up_taps({{"net0", "vmrtesta", "vmbr7", true}, {"net1", "vmrtestb", "br-missing", false}}, journal);
        if (setup.failure) error = setup.failure->text(), where = setup.failure->where;
        links_during = ns.links();
        vmrun::close_taps(setup);
        report = vmrun::make_restorer({}).restore(journal);
    });
    CHECK(has(error, "bridge br-missing (for NIC 'net1') does not exist"));
    CHECK(where == "br-missing");
    CHECK(has(links_during, "\"ifname\":\"vmrtesta\""));
    CHECK(has(links_during, "\"master\":\"vmbr7\""));
    CHECK(report.ok());
    CHECK(ns.links() == before);
}

TEST_CASE("a bridge vmrun made, deleted and made anew under its name by someone else: the replay leaves the new one") {
    NetNamespace ns;
    TempDir dir;
    std::string error;
    vmrun::RestoreReport report;
    inside_namespace(ns, [&] {
        vmrun::Journal journal(dir / "journal");
        auto setup = vmrun::set_up_taps({{"net0", "vmrtestc", "vmbr8", true}}, journal);
        if (setup.failure) error = setup.failure->text();
        vmrun::close_taps(setup);  // the tap goes with its last fd
        // vmrun's bridge goes (the user tidied up); another program makes one with the same name.
        ns.ip("-n " + ns.name() + " link del vmbr8");
        ns.ip("-n " + ns.name() + " link add vmbr8 type bridge");
        report = vmrun::make_restorer({}).restore(journal);
    });
    CHECK(error.empty());
    CHECK(report.ok());
    REQUIRE(report.left_alone.size() == 1);
    CHECK(has(report.left_alone[0], "vmbr8 is a new interface (index "));
    CHECK(has(report.left_alone[0], "): not touched"));
    CHECK(has(ns.links(), "\"ifname\":\"vmbr8\""));
}
