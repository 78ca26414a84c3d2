// The demo profile end to end, through the vmrun binary: boots headless,
// answers on its console, takes a hotplugged disk and NIC that the guest
// itself reports, gives them back on unplug, and powers off through ACPI on
// `vmrun stop`, leaving no runtime folder behind.

#include <doctest/doctest.h>

#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <boost/process.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <functional>
#include <thread>

#include "text_has.h"
#include "guest_console.h"
#include "qemu_process.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"
#include "run_vmrun.h"
#include "temp_dir.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {


// The guest needs a moment (TCG) to bind drivers after a hotplug.
std::string inventory_until(const VmrunEnv& env, const std::string& vm, const std::function<bool(const std::string&)>& ok) {
    std::string inv;
    for (int i = 0; i < 15; ++i) {
        inv = guest_inventory(env, vm);
        if (ok(inv)) break;
        std::this_thread::sleep_for(1s);
    }
    return inv;
}

}  // namespace

TEST_CASE("demo profile: boot, console, hotplug seen by the guest, unplug, ACPI stop") {
    REQUIRE_MESSAGE(fs::exists(tiny_guest_dir() + "/vmlinuz"), "the tiny guest is not built: run scripts/build-tiny-guest.sh");
    VmUnderTest vm("demo");  // kills whatever a failed REQUIRE leaves running
    const auto& dir = vm.dir;
    const auto& env = vm.env;
    std::string profile = std::string(VMRUN_SOURCE_DIR) + "/profiles/demo.yaml";

    auto start = run_vmrun(env, {profile});
    INFO("start: " << start.out << start.err);
    REQUIRE(start.exit_code == 0);
    CHECK(has(start.out, "started demo"));
    REQUIRE_MESSAGE(wait_for_text(env.state_dir + "/demo/console.log", "VMRUN-GUEST-READY", 180s),
                    read_file(env.state_dir + "/demo/console.log"));

    auto prompt = run_vmrun(env, {"console", "demo", "--linger", "2"}, "\n", 30s);
    CHECK(prompt.exit_code == 0);
    CHECK(has(prompt.out, "tiny# "));
    // The shell's cursor query was answered by vmrun, not printed.
    CHECK_FALSE(has(prompt.out, "\x1b[6n"));

    auto list = run_vmrun(env, {"list"});
    CHECK(has(list.out, "demo"));
    CHECK(has(list.out, "running"));

    auto before = guest_inventory(env, "demo");
    INFO("guest before hotplug:\n" << before);
    REQUIRE(has(before, "NET eth0"));
    CHECK_FALSE(has(before, "0x1af4:0x1042"));  // virtio-blk (modern, behind a root port)
    CHECK_FALSE(has(before, "0x1af4:0x1041"));  // virtio-net (modern, behind a root port)

    // The event stream runs beside everything below, on its own monitor socket.
    auto e = boost::this_process::environment();
    e["VMRUN_RUNTIME_DIR"] = env.runtime_dir;
    e["VMRUN_STATE_DIR"] = env.state_dir;
    std::string events_log = dir / "events.jsonl";
    boost::process::child events(VMRUN_BINARY, "events", "demo", e, boost::process::std_out > events_log,
                                 boost::process::std_err > boost::process::null, boost::process::std_in < boost::process::null);

    std::string image = dir / "scratch.img";
    write_file(image, std::string(1 << 20, '\0'));
    // A path relative to where hotplug runs, not to where QEMU was started.
    auto in_image_dir = env;
    in_image_dir.working_dir = dir.path.string();
    auto disk = run_vmrun(in_image_dir, {"hotplug", "demo", "--disk", "scratch.img"});
    INFO("hotplug disk: " << disk.out << disk.err);
    REQUIRE(disk.exit_code == 0);
    CHECK(has(disk.out, "added disk 'disk0' (virtio-blk-pci) on rp1"));
    auto nic = run_vmrun(env, {"hotplug", "demo", "--nic", "user"});
    INFO("hotplug nic: " << nic.out << nic.err);
    REQUIRE(nic.exit_code == 0);
    CHECK(has(nic.out, "added network interface 'net1' (virtio-net-pci) on rp2"));

    auto with = inventory_until(env, "demo", [](auto& inv) {
        return has(inv, "BLOCK vda") && has(inv, "NET eth1") && has(inv, "0x1af4:0x1042") && has(inv, "0x1af4:0x1041");
    });
    INFO("guest after hotplug:\n" << with);
    CHECK(has(with, "0x1af4:0x1042"));
    CHECK(has(with, "0x1af4:0x1041"));
    CHECK(has(with, "BLOCK vda"));
    CHECK(has(with, "NET eth1"));

    auto status = run_vmrun(env, {"status", "demo"});
    CHECK(has(status.out, "rp1: disk0"));
    CHECK(has(status.out, "rp2: net1"));
    CHECK(has(status.out, "rp3: (free for hotplug)"));

    for (const char* id : {"disk0", "net1"}) {
        auto u = run_vmrun(env, {"unplug", "demo", id});
        INFO("unplug " << id << ": " << u.out << u.err);
        CHECK(u.exit_code == 0);
        CHECK(has(u.out, std::string("removed '") + id + "'"));
        CHECK_FALSE(has(u.out, "without a DEVICE_DELETED"));  // the guest acknowledged
    }
    auto after = inventory_until(env, "demo", [](auto& inv) {
        return !has(inv, "BLOCK vda") && !has(inv, "NET eth1") && !has(inv, "0x1af4:0x1042") && !has(inv, "0x1af4:0x1041");
    });
    INFO("guest after unplug:\n" << after);
    CHECK_FALSE(has(after, "0x1af4:0x1042"));
    CHECK_FALSE(has(after, "0x1af4:0x1041"));
    CHECK_FALSE(has(after, "BLOCK vda"));
    CHECK(has(after, "NET eth0"));

    // Both unplugs were seen on the event stream, one JSON object per line.
    REQUIRE(wait_for_text(events_log, "\"device\":\"net1\"", 10s));
    std::set<std::string> deleted;
    {
        std::ifstream in(events_log);
        for (std::string line; std::getline(in, line);) {
            auto ev = nlohmann::json::parse(line);  // throws on anything but JSON lines
            if (ev["event"] == "DEVICE_DELETED" && ev["data"].contains("device")) deleted.insert(ev["data"]["device"]);
        }
    }
    CHECK(deleted == std::set<std::string>{"disk0", "net1"});

    auto stop = run_vmrun(env, {"stop", "demo"}, "", 120s);
    INFO("stop: " << stop.out << stop.err);
    CHECK(stop.exit_code == 0);
    CHECK(has(stop.out, "the guest powered off"));
    CHECK(has(read_file(env.state_dir + "/demo/console.log"), "VMRUN-GUEST-POWEROFF"));
    CHECK_FALSE(fs::exists(env.runtime_dir + "/demo"));
    CHECK_FALSE(fs::exists(env.state_dir + "/demo/journal"));
    CHECK_FALSE(has(run_vmrun(env, {"list"}).out, "demo"));
    CHECK(wait_exit_for(events, 10s));  // the stream ends with the VM
}

TEST_CASE("hotplug --usb adds a USB controller and the host device; --device adds raw devices the guest sees") {
    VmUnderTest vm("kinds");
    write_file(vm.profile, tiny_guest_profile(vm.name));
    auto start = run_vmrun(vm.env, {"start", vm.profile});
    REQUIRE_MESSAGE(start.exit_code == 0, start.out << start.err);
    REQUIRE_MESSAGE(wait_for_text(vm.paths().console_log(), "VMRUN-GUEST-READY", 180s), read_file(vm.paths().console_log()));
    auto usb_devices = [&] {
        return guest_run(vm.env, vm.name, "for d in /sys/bus/usb/devices/*; do echo USB $(cat $d/idVendor 2>/dev/null):$(cat $d/idProduct 2>/dev/null); done");
    };

    // The first USB device brings its controller, on a free root port.
    auto usb = run_vmrun(vm.env, {"hotplug", vm.name, "--usb", "1d6b:0104", "--id", "hostusb"});
    INFO("hotplug --usb: " << usb.out << usb.err);
    REQUIRE(usb.exit_code == 0);
    CHECK(has(usb.out, "added USB controller 'xhci' on rp1"));
    auto vendor = run_vmrun(vm.env, {"qmp", vm.name, "qom-get", R"({"path": "/machine/peripheral/hostusb", "property": "vendorid"})"});
    CHECK(vendor.out == "7531\n");  // 0x1d6b
    // By bus.address, as lsusb shows it (the profile's other form). Unlike an
    // id, QEMU opens an address at once, and this machine has no USB device:
    // its refusal names the bus and address vmrun passed, and nothing stays.
    auto at = run_vmrun(vm.env, {"hotplug", vm.name, "--usb", "3.4", "--id", "byaddr"});
    INFO("hotplug --usb 3.4: " << at.out << at.err);
    CHECK(at.exit_code != 0);
    CHECK(has(at.err, "failed to find host usb device 3:4"));
    CHECK(has(at.err, "nothing was left added"));
    auto bad_usb = run_vmrun(vm.env, {"hotplug", vm.name, "--usb", "3.x"});
    CHECK(bad_usb.exit_code != 0);
    CHECK(has(bad_usb.err, "BUS.ADDR like 3.4"));
    auto with_xhci = inventory_until(vm.env, vm.name, [](auto& inv) { return has(inv, "0x1b36:0x000d"); });
    CHECK(has(with_xhci, "0x1b36:0x000d"));  // qemu-xhci, seen by the guest

    // A raw USB device on that controller reaches the guest's USB bus.
    auto tablet = run_vmrun(vm.env, {"hotplug", vm.name, "--device", "usb-tablet,bus=xhci.0", "--id", "tablet"});
    INFO("hotplug --device usb-tablet: " << tablet.out << tablet.err);
    REQUIRE(tablet.exit_code == 0);
    std::string buses;
    for (int i = 0; i < 15 && !has(buses, "USB 0627:0001"); ++i, std::this_thread::sleep_for(1s)) buses = usb_devices();
    CHECK_MESSAGE(has(buses, "USB 0627:0001"), buses);  // QEMU's tablet, enumerated by the guest

    // A raw PCI device goes into the next free root port and back out.
    auto rng = run_vmrun(vm.env, {"hotplug", vm.name, "--device", "virtio-rng-pci", "--id", "rng"});
    INFO("hotplug --device virtio-rng-pci: " << rng.out << rng.err);
    REQUIRE(rng.exit_code == 0);
    CHECK(has(rng.out, "on rp2"));
    auto with_rng = inventory_until(vm.env, vm.name, [](auto& inv) { return has(inv, "0x1af4:0x1044"); });
    CHECK(has(with_rng, "0x1af4:0x1044"));
    for (const char* id : {"rng", "tablet", "hostusb"}) {
        auto u = run_vmrun(vm.env, {"unplug", vm.name, id});
        INFO("unplug " << id << ": " << u.out << u.err);
        CHECK(u.exit_code == 0);
        CHECK_FALSE(has(u.out, "without a DEVICE_DELETED"));
    }
    auto without = inventory_until(vm.env, vm.name, [](auto& inv) { return !has(inv, "0x1af4:0x1044"); });
    CHECK_FALSE(has(without, "0x1af4:0x1044"));
    for (int i = 0; i < 15 && has(buses, "USB 0627:0001"); ++i, std::this_thread::sleep_for(1s)) buses = usb_devices();
    CHECK_FALSE(has(buses, "USB 0627:0001"));
    CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);
}

TEST_CASE("under systemd the supervisor reports READY=1 once the guest runs") {
    VmUnderTest vm("notify");  // kills whatever a failed REQUIRE leaves running
    const auto& dir = vm.dir;
    const auto& env = vm.env;
    std::string profile = dir / "notify.yaml";
    write_file(profile, tiny_guest_profile("notify"));
    std::string notify = dir / "notify.sock";
    int s = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, notify.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

    auto e = boost::this_process::environment();
    e["VMRUN_RUNTIME_DIR"] = env.runtime_dir;
    e["VMRUN_STATE_DIR"] = env.state_dir;
    e["NOTIFY_SOCKET"] = notify;
    boost::process::child fg(VMRUN_BINARY, "start", "--foreground", profile, e, boost::process::std_out > boost::process::null,
                             boost::process::std_err > boost::process::null, boost::process::std_in < boost::process::null);
    pollfd p{s, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 120000) == 1);
    char buf[256] = {};
    ::recv(s, buf, sizeof buf - 1, 0);
    ::close(s);
    CHECK(std::string(buf).find("READY=1") != std::string::npos);
    CHECK(std::string(buf).find("MAINPID=" + std::to_string(fg.id())) != std::string::npos);
    // The tiny guest listens for the power button only once it is up.
    REQUIRE(wait_for_text(env.state_dir + "/notify/console.log", "VMRUN-GUEST-READY", 180s));
    CHECK(run_vmrun(env, {"stop", "notify"}).exit_code == 0);
    CHECK(wait_exit_for(fg, 30s));
    CHECK(fg.exit_code() == 0);
}

TEST_CASE("run_as and sandbox: QEMU runs as the user, under seccomp") {
    VmUnderTest vm("confined");  // kills whatever a failed REQUIRE leaves running
    const auto& dir = vm.dir;
    const auto& env = vm.env;
    std::string profile = dir / "confined.yaml";
    write_file(profile, tiny_guest_profile("confined", "run_as: nobody\nsandbox: true\n"));
    auto start = run_vmrun(env, {"start", profile});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);
    REQUIRE(wait_for_text(env.state_dir + "/confined/console.log", "VMRUN-GUEST-READY", 180s));
    auto qemu = vmrun::read_pid_file(env.runtime_dir + "/confined/qemu.pid").value_or(0);
    auto status = read_file("/proc/" + std::to_string(qemu) + "/status");
    INFO(status);
    passwd* nobody = ::getpwnam("nobody");
    REQUIRE(nobody);
    CHECK(has(status, "Uid:\t" + std::to_string(nobody->pw_uid) + "\t"));
    CHECK(has(status, "Seccomp:\t2"));
    auto stop = run_vmrun(env, {"stop", "confined"});
    CHECK(stop.exit_code == 0);
    CHECK_FALSE(fs::exists(env.runtime_dir + "/confined"));
}
