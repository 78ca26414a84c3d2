#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "profile_fixture.h"
#include "plan/qemu_argv.h"
#include "profile/value_parsers.h"

using namespace vmrun;
using vmrun::testing::run_pipeline;

namespace {
const LaunchPlan& plan_of(const vmrun::testing::Pipeline& p) {
    REQUIRE(p.errors().empty());
    REQUIRE(p.planned.plan);
    return *p.planned.plan;
}
}  // namespace

TEST_CASE("every function of a host slot lands in one guest slot behind one root port") {
    auto p = run_pipeline(
        "name: t\nmemory: 1G\n"
        "passthrough:\n"
        "  - host: 01:00.2\n  - host: 01:00.0\n    x_vga: true\n  - host: 01:00.3\n  - host: 01:00.1\n"
        "  - host: 02:00.0\n");
    const auto& plan = plan_of(p);
    REQUIRE(plan.passthrough.size() == 5);
    // 1 port for the GPU, 1 for the NVMe, 4 spare.
    CHECK(plan.root_ports.size() == 6);
    std::map<std::string, unsigned> fn;
    for (const auto& pp : plan.passthrough) {
        if (pp.device.host.bus == 1) {
            CHECK(pp.at.bus == "rp1");
            fn[pp.device.host.str()] = pp.at.function;
            CHECK(pp.at.multifunction == (pp.at.function == 0));
        } else {
            CHECK(pp.at.bus == "rp2");
            CHECK_FALSE(pp.at.multifunction);
        }
    }
    CHECK(fn["0000:01:00.0"] == 0);
    CHECK(fn["0000:01:00.1"] == 1);
    CHECK(fn["0000:01:00.2"] == 2);
    CHECK(fn["0000:01:00.3"] == 3);
    CHECK(plan.root_ports[0].holds == "0000:01:00");
    CHECK(plan.root_ports[2].holds.empty());  // spare
}

TEST_CASE("a slot passed without its function 0 still starts at guest function 0") {
    auto p = run_pipeline("name: t\nmemory: 1G\npassthrough:\n  - 01:00.1\n");
    const auto& plan = plan_of(p);
    CHECK(plan.passthrough[0].at.function == 0);
    CHECK_FALSE(plan.passthrough[0].at.multifunction);
}

TEST_CASE("root ports: unique ids, chassis, ports and addresses; multifunction on 1c.0") {
    auto p = run_pipeline("name: t\nmemory: 1G\nroot_ports:\n  spare: 20\n");
    const auto& plan = plan_of(p);
    REQUIRE(plan.root_ports.size() == 20);
    std::set<std::string> ids, addrs;
    std::set<int> chassis, ports;
    for (const auto& rp : plan.root_ports) {
        ids.insert(rp.id);
        addrs.insert(std::to_string(rp.at.slot) + "." + std::to_string(rp.at.function));
        chassis.insert(rp.chassis);
        ports.insert(rp.port);
    }
    CHECK(ids.size() == 20);
    CHECK(addrs.size() == 20);
    CHECK(chassis.size() == 20);
    CHECK(ports.size() == 20);
    // 8 functions per slot: 1c.0-7, 1d.0-7, 1e.0-3; function 0 of a shared slot is multifunction.
    CHECK(plan.root_ports[0].at.slot == 0x1c);
    CHECK(plan.root_ports[0].at.multifunction);
    CHECK(plan.root_ports[7].at.slot == 0x1c);
    CHECK(plan.root_ports[8].at.slot == 0x1d);
    CHECK(plan.root_ports[8].at.multifunction);
    CHECK(plan.root_ports[16].at.slot == 0x1e);
    CHECK_FALSE(plan.root_ports[1].at.multifunction);
    CHECK(root_port_device(plan.root_ports[0]) == "ioh3420,id=rp1,bus=pcie.0,addr=0x1c.0x0,multifunction=on,chassis=1,port=1");
}

TEST_CASE("a single root port is not multifunction; pcie-root-port is selectable") {
    auto p = run_pipeline("name: t\nmemory: 1G\nroot_ports:\n  spare: 1\n  model: pcie-root-port\n");
    const auto& plan = plan_of(p);
    REQUIRE(plan.root_ports.size() == 1);
    CHECK(root_port_device(plan.root_ports[0]) == "pcie-root-port,id=rp1,bus=pcie.0,addr=0x1c,chassis=1,port=1");
}

TEST_CASE("emulated devices get distinct slots that avoid the root ports, VGA and ICH9") {
    auto p = run_pipeline(
        "name: t\nmemory: 1G\ndisplay: vnc\n"
        "disks:\n  - path: a.img\n  - path: b.img\n    bus: nvme\n  - path: c.img\n    bus: virtio-scsi\n"
        "network:\n  - type: user\n  - type: user\n"
        "usb:\n  - 046d:c52b\n");
    const auto& plan = plan_of(p);
    CHECK(plan.vga == VgaType::std);
    std::set<unsigned> slots;
    auto take = [&](const PciPlacement& at) {
        CHECK(at.bus == "pcie.0");
        CHECK(at.slot != 0x00);
        CHECK(at.slot != 0x01);
        CHECK(at.slot != 0x1f);
        CHECK(at.slot != 0x1c);
        CHECK(slots.insert(at.slot).second);
    };
    for (const auto& d : plan.disks) if (d.at) take(*d.at);
    for (const auto& n : plan.nics) take(n.at);
    take(*plan.scsi_controller);
    take(*plan.usb_controller);
    CHECK(slots.size() == 6);
}

TEST_CASE("VGA: none with an x-vga GPU or without a display, std otherwise") {
    CHECK(plan_of(run_pipeline("name: t\nmemory: 1G\n")).vga == VgaType::none);
    CHECK(plan_of(run_pipeline("name: t\nmemory: 1G\ndisplay: gtk\n")).vga == VgaType::std);
    CHECK(plan_of(run_pipeline("name: t\nmemory: 1G\ndisplay: gtk\npassthrough:\n  - host: 01:00.0\n    x_vga: true\n")).vga == VgaType::none);
}

TEST_CASE("OVMF: Debian's images by default, Secure Boot picks the signed pair, VARS in the state folder") {
    auto plain = plan_of(run_pipeline("name: t\nmemory: 1G\nfirmware: ovmf\n")).firmware;
    CHECK(plain.code == "/usr/share/OVMF/OVMF_CODE_4M.fd");
    CHECK(plain.vars_template == "/usr/share/OVMF/OVMF_VARS_4M.fd");
    CHECK(plain.vars == "/var/lib/vmrun/t/OVMF_VARS.fd");
    auto sb = plan_of(run_pipeline("name: t\nmemory: 1G\nfirmware:\n  type: ovmf\n  secure_boot: true\n")).firmware;
    CHECK(sb.code == "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
    CHECK(sb.vars_template == "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
}

TEST_CASE("tap names: the profile's, or a stable one within 15 characters") {
    auto p = run_pipeline("name: a-rather-long-vm-name-for-gaming\nmemory: 1G\n"
                          "network:\n  - {type: tap, bridge: br0}\n  - {type: tap, bridge: br0, tap: mytap}\n");
    const auto& plan = plan_of(p);
    CHECK(plan.nics[0].tap.size() <= 15);
    CHECK(plan.nics[0].tap == default_tap_name("a-rather-long-vm-name-for-gaming", 0));
    CHECK(plan.nics[0].tap != default_tap_name("a-rather-long-vm-name-for-gamin", 0));
    CHECK(plan.nics[1].tap == "mytap");
}

TEST_CASE("guest_address puts a device on pcie.0 where the profile says, before anything else takes the slot") {
    auto p = run_pipeline("name: t\nmemory: 1G\npassthrough:\n"
                          "  - {host: 00:1a.0, guest_address: \"1a.0\"}\n"
                          "  - {host: 00:1a.2, guest_address: \"1a.2\"}\n"
                          "  - {host: 00:1d.0, guest_address: \"02.0\"}\n"
                          "  - 01:00.0\n");
    REQUIRE(p.errors().empty());
    const auto& plan = *p.planned.plan;
    auto at = [&](const std::string& host) {
        for (const auto& pp : plan.passthrough)
            if (pp.device.host.str() == host) return pp.at;
        FAIL("not planned: " << host);
        return PciPlacement{};
    };
    CHECK(at("0000:00:1a.0").bus == "pcie.0");
    CHECK(at("0000:00:1a.0").addr() == "0x1a.0x0");
    CHECK(at("0000:00:1a.0").multifunction);
    CHECK(at("0000:00:1a.2").addr() == "0x1a.0x2");  // the user's function, not renumbered
    CHECK(at("0000:00:1d.0").addr() == "0x2");
    CHECK_FALSE(at("0000:00:1d.0").multifunction);
    CHECK(at("0000:01:00.0").bus == "rp1");            // the rest as before, behind a root port
    for (const auto& rp : plan.root_ports) CHECK(rp.at.slot != 0x1a);
    CHECK(plan.root_ports.size() == 1 + 4);           // one for 01:00, the spares; none for the placed ones
}

TEST_CASE("guest_address: every conflict at file:line:column") {
    struct Case {
        const char* items;
        const char* error;
    } cases[] = {
        {"  - {host: 00:1a.0, guest_address: \"1a.0\"}\n  - {host: 00:1d.0, guest_address: \"1a.0\"}\n",
         "bad.yaml:5:36: guest address 1a.0 is also given to 0000:00:1a.0 (line 4); pick another"},
        {"  - {host: 00:1a.0, guest_address: \"1f.0\"}\n",
         "bad.yaml:4:36: guest slot 1f on pcie.0 is the ICH9 chipset's (LPC, SATA, SMBus); pick a slot from 02 to 1e"},
        {"  - {host: 00:1a.0, guest_address: \"00.0\"}\n",
         "bad.yaml:4:36: guest slot 00 on pcie.0 is the host bridge's; pick a slot from 02 to 1e"},
        {"  - {host: 00:1a.2, guest_address: \"05.2\"}\n",
         "bad.yaml:4:36: guest slot 05 has no function 0, and a guest ignores such a slot; give one of its devices 05.0"},
        {"  - {host: 01:00.0, guest_address: \"05.0\"}\n  - 01:00.1\n",
         "bad.yaml:4:36: the functions of host slot 0000:01:00 go together: give 0000:01:00.1 a guest_address too, or remove it here"},
        {"  - {host: 00:1a.0, guest_address: \"1a\"}\n",
         "bad.yaml:4:36: 'guest_address' is a slot.function on pcie.0 in hex, like 1a.0 (slot 00-1f, function 0-7), got '1a'"},
        {"  - {host: 00:1a.0, guest_address: \"20.0\"}\n",
         "bad.yaml:4:36: 'guest_address' is a slot.function on pcie.0 in hex, like 1a.0 (slot 00-1f, function 0-7), got '20.0'"},
        {"  - {host: 00:1a.0, guest_address: \"1a.8\"}\n",
         "bad.yaml:4:36: 'guest_address' is a slot.function on pcie.0 in hex, like 1a.0 (slot 00-1f, function 0-7), got '1a.8'"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.items);
        auto p = run_pipeline(std::string("name: t\nmemory: 1G\npassthrough:\n") + c.items);
        REQUIRE(p.errors().size() == 1);
        CHECK(p.errors()[0] == c.error);
    }
    // The emulated VGA's slot is taken only when there is one.
    auto vga = run_pipeline("name: t\nmemory: 1G\ndisplay: vnc\npassthrough:\n  - {host: 00:1a.0, guest_address: \"01.0\"}\n");
    REQUIRE(vga.errors().size() == 1);
    CHECK(vga.errors()[0] == "bad.yaml:5:36: guest slot 01 on pcie.0 is the emulated VGA's; pick a slot from 02 to 1e");
    CHECK(run_pipeline("name: t\nmemory: 1G\npassthrough:\n  - {host: 00:1a.0, guest_address: \"01.0\"}\n").errors().empty());
}

TEST_CASE("Looking Glass: the size from the resolution as Looking Glass documents it, the file per VM, IVSHMEM on pcie.0") {
    CHECK(vmrun::looking_glass_size_mib(1920, 1080) == 32);
    CHECK(vmrun::looking_glass_size_mib(2560, 1440) == 64);
    CHECK(vmrun::looking_glass_size_mib(3840, 2160) == 128);
    auto p = vmrun::testing::run_pipeline("name: g\nmemory: 4G\nlooking_glass:\n  resolution: 2560x1440\n  owner: alice\n");
    REQUIRE(p.planned.plan);
    const auto& lg = *p.planned.plan->looking_glass;
    CHECK(lg.path == "/dev/shm/looking-glass-g");
    CHECK(lg.size_mib == 64);
    CHECK(lg.owner == "alice");
    CHECK(lg.at.bus == "pcie.0");
    auto argv = vmrun::build_qemu_argv(*p.planned.plan);
    auto has = [&](const std::string& a) { return std::find(argv.begin(), argv.end(), a) != argv.end(); };
    CHECK(has("memory-backend-file,id=looking-glass-mem,mem-path=/dev/shm/looking-glass-g,size=64M,share=on"));
    CHECK(has("ivshmem-plain,id=looking-glass,memdev=looking-glass-mem,bus=pcie.0,addr=" + lg.at.addr()));
    // Started for real, QEMU maps the file vmrun opened, never a name.
    vmrun::InheritedFds opened;
    opened.looking_glass_fd = 9;
    auto started = vmrun::build_qemu_argv(*p.planned.plan, opened);
    CHECK(std::find(started.begin(), started.end(),
                    "memory-backend-file,id=looking-glass-mem,mem-path=/proc/self/fd/9,size=64M,share=on") != started.end());
    auto kvmfr = vmrun::testing::run_pipeline("name: g\nmemory: 4G\nlooking_glass: {size: 128M, device: kvmfr}\n");
    REQUIRE(kvmfr.planned.plan);
    CHECK(kvmfr.planned.plan->looking_glass->path == "/dev/kvmfr0");
    CHECK(kvmfr.planned.plan->looking_glass->size_mib == 128);
}

TEST_CASE("audio: the user's socket and cookie, run_as as the default user, the card on pcie.0, the cookie in QEMU's environment") {
    auto facts = vmrun::testing::fixed_facts("s");
    facts.users["alice"] = {1000, "/home/alice", "/home/alice/.config/pulse/cookie"};
    facts.users["bob"] = {1001, "/home/bob", ""};
    auto has_in = [](const std::vector<std::string>& argv, const std::string& a) { return std::find(argv.begin(), argv.end(), a) != argv.end(); };

    auto pa = vmrun::testing::run_pipeline("name: s\nmemory: 1G\naudio: {backend: pulseaudio, user: alice}\n", "/vm", facts);
    REQUIRE(pa.planned.plan);
    const auto& a = *pa.planned.plan->audio;
    CHECK(a.socket == "/run/user/1000/pulse/native");
    CHECK(a.cookie == "/home/alice/.config/pulse/cookie");
    CHECK(a.cookie_required);
    CHECK(a.at.bus == "pcie.0");
    auto argv = vmrun::build_qemu_argv(*pa.planned.plan);
    CHECK(has_in(argv, "pa,id=vmrun-audio,server=unix:/run/user/1000/pulse/native"));
    CHECK(has_in(argv, "ich9-intel-hda,id=vmrun-sound,bus=pcie.0,addr=" + a.at.addr()));
    CHECK(has_in(argv, "hda-duplex,id=vmrun-sound-codec,bus=vmrun-sound.0,audiodev=vmrun-audio"));
    // QEMU gets vmrun's copy in the VM's runtime folder, never the user's path.
    CHECK(vmrun::qemu_environment(*pa.planned.plan) ==
          std::map<std::string, std::string>{{"PULSE_COOKIE", pa.planned.plan->paths().runtime_dir + "/pulse-cookie"}});

    // run_as is the user when none is named; pipewire-pulse needs no cookie, and bob has none.
    auto pw = vmrun::testing::run_pipeline("name: s\nmemory: 1G\nrun_as: bob\naudio: {backend: pipewire, model: ac97}\n", "/vm", facts);
    REQUIRE(pw.planned.plan);
    CHECK(pw.planned.plan->audio->socket == "/run/user/1001/pulse/native");
    CHECK_FALSE(pw.planned.plan->audio->cookie_required);
    CHECK(vmrun::qemu_environment(*pw.planned.plan).empty());
    auto pw_argv = vmrun::build_qemu_argv(*pw.planned.plan);
    CHECK(has_in(pw_argv, "AC97,id=vmrun-sound,audiodev=vmrun-audio,bus=pcie.0,addr=" + pw.planned.plan->audio->at.addr()));

    // A server named by path wins over the user's, and commas in it are escaped.
    auto given = vmrun::testing::run_pipeline("name: s\nmemory: 1G\naudio:\n  backend: pulseaudio\n  server: /srv/a,b/native\n  cookie: c\n", "/vm", facts);
    REQUIRE(given.planned.plan);
    CHECK(has_in(vmrun::build_qemu_argv(*given.planned.plan), "pa,id=vmrun-audio,server=unix:/srv/a,,b/native"));
    CHECK(given.planned.plan->audio->cookie == "/vm/c");

    auto alsa = vmrun::testing::run_pipeline("name: s\nmemory: 1G\naudio: {backend: alsa, device: \"hw:1,0\"}\n", "/vm", facts);
    REQUIRE(alsa.planned.plan);
    CHECK(has_in(vmrun::build_qemu_argv(*alsa.planned.plan), "alsa,id=vmrun-audio,out.dev=hw:1,,0,in.dev=hw:1,,0"));
    auto none = vmrun::testing::run_pipeline("name: s\nmemory: 1G\naudio: none\n", "/vm", facts);
    REQUIRE(none.planned.plan);
    CHECK(has_in(vmrun::build_qemu_argv(*none.planned.plan), "none,id=vmrun-audio"));
}

TEST_CASE("the supervisor's monitor: a path in --dry-run's argv, the inherited listening fd when vmrun starts QEMU") {
    auto p = vmrun::testing::run_pipeline("name: m\nmemory: 1G\n");
    REQUIRE(p.planned.plan);
    auto sock = p.planned.plan->paths().supervisor_socket();
    auto dry = vmrun::build_qemu_argv(*p.planned.plan);
    CHECK(std::find(dry.begin(), dry.end(), "socket,id=qmp-supervisor,path=" + sock + ",server=on,wait=off") != dry.end());
    vmrun::InheritedFds opened;
    opened.supervisor_monitor_fd = 7;
    auto started = vmrun::build_qemu_argv(*p.planned.plan, opened);
    CHECK(std::find(started.begin(), started.end(), "socket,id=qmp-supervisor,fd=7,server=on,wait=off") != started.end());
    // The QMP socket keeps its path: it marks this VM's QEMU for the journal's replay.
    CHECK(std::find(started.begin(), started.end(), "socket,id=qmp,path=" + p.planned.plan->paths().qmp_socket() + ",server=on,wait=off") != started.end());
}

TEST_CASE("guest settings: Hyper-V set or passthrough, HPET off, guest sleep off with a passed device unless asked for") {
    auto argv_of = [](const std::string& yaml) { return build_qemu_argv(plan_of(run_pipeline("name: g\nmemory: 1G\n" + yaml))); };
    auto has_pair = [](const std::vector<std::string>& argv, const std::string& opt, const std::string& value) {
        for (size_t i = 0; i + 1 < argv.size(); ++i)
            if (argv[i] == opt && argv[i + 1] == value) return true;
        return false;
    };
    auto has_text = [](const std::vector<std::string>& argv, const std::string& part) {
        return std::any_of(argv.begin(), argv.end(), [&](const std::string& a) { return a.find(part) != std::string::npos; });
    };

    auto set = argv_of("cpu: {hyperv: true}\n");
    CHECK(has_text(set, "hv-stimer-direct=on"));
    CHECK(has_text(set, "hv-tlbflush=on,hv-ipi=on"));
    CHECK_FALSE(has_text(set, "hv-passthrough"));
    auto all = argv_of("cpu: {hyperv: passthrough}\n");
    CHECK(has_pair(all, "-cpu", "host,hv-passthrough=on"));

    CHECK(has_pair(argv_of("hpet: false\n"), "-machine", "q35,accel=kvm,hpet=off"));
    CHECK(has_pair(argv_of(""), "-machine", "q35,accel=kvm"));

    // Without passthrough the guest may sleep; with it, not, unless the profile says so.
    CHECK_FALSE(has_text(argv_of(""), "disable_s3"));
    auto passed = argv_of("passthrough: [01:00.0]\n");
    CHECK(has_pair(passed, "-global", "ICH9-LPC.disable_s3=1"));
    CHECK(has_pair(passed, "-global", "ICH9-LPC.disable_s4=1"));
    CHECK_FALSE(has_text(argv_of("passthrough: [01:00.0]\nguest_sleep: true\n"), "disable_s"));
    CHECK(has_pair(argv_of("guest_sleep: false\n"), "-global", "ICH9-LPC.disable_s3=1"));
}
