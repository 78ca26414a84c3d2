// Defaults that depend on other keys, and what the loader fills in.

#include <doctest/doctest.h>

#include "profile_fixture.h"
#include "profile/stable_mac.h"

using namespace vmrun;
using vmrun::testing::run_pipeline;
using vmrun::testing::Pipeline;

TEST_CASE("generated ids step around the ones the user wrote") {
    auto p = run_pipeline(
        "name: t\nmemory: 1G\n"
        "disks:\n  - path: a.img\n  - path: b.img\n    id: disk0\n  - path: c.iso\n    media: cdrom\n"
        "network:\n  - type: user\n"
        "passthrough:\n  - 01:00.0\n"
        "usb:\n  - 046d:c52b\n");
    REQUIRE(p.errors().empty());
    const auto& prof = p.loaded.profile;
    CHECK(prof.disks[0].id == "disk1");
    CHECK(prof.disks[1].id == "disk0");
    CHECK(prof.disks[2].id == "cdrom0");
    CHECK(prof.nics[0].id == "net0");
    CHECK(prof.passthrough[0].id == "hostdev0");
    CHECK(prof.usb[0].id == "usbhost0");
}

TEST_CASE("a NIC without a MAC gets the stable one for its VM and id") {
    auto p = run_pipeline("name: gamer\nmemory: 1G\nnetwork:\n  - type: user\n    id: lan\n");
    REQUIRE(p.errors().empty());
    CHECK(p.loaded.profile.nics[0].mac == stable_mac("gamer", "lan"));
    CHECK(p.loaded.profile.nics[0].mac_generated);
}

TEST_CASE("the CPU model defaults to host under kvm and to max under tcg") {
    auto kvm = run_pipeline("name: t\nmemory: 1G\n");
    REQUIRE(kvm.errors().empty());
    CHECK(kvm.loaded.profile.cpu.model == "host");
    auto tcg = run_pipeline("name: t\nmemory: 1G\naccelerator: tcg\n");
    REQUIRE(tcg.errors().empty());
    CHECK(tcg.loaded.profile.cpu.model == "max");
    auto mapping = run_pipeline("name: t\nmemory: 1G\naccelerator: tcg\ncpu:\n  flags: [+pdpe1gb]\n");
    REQUIRE(mapping.errors().empty());
    CHECK(mapping.loaded.profile.cpu.model == "max");
}

TEST_CASE("relative paths resolve against the profile's folder; absolute ones stay") {
    auto p = run_pipeline(
        "name: t\nmemory: 1G\nkernel:\n  image: ../guest/vmlinuz\n"
        "disks:\n  - path: images/a.qcow2\n  - path: /dev/sdc6\n", "/home/u/vms");
    REQUIRE(p.errors().empty());
    CHECK(p.loaded.profile.kernel->image == "/home/u/guest/vmlinuz");
    CHECK(p.loaded.profile.disks[0].path == "/home/u/vms/images/a.qcow2");
    CHECK(p.loaded.profile.disks[0].format == DiskFormat::qcow2);
    CHECK(p.loaded.profile.disks[1].path == "/dev/sdc6");
    CHECK(p.loaded.profile.disks[1].format == DiskFormat::raw);
}

TEST_CASE("a CD-ROM defaults to the AHCI bus; smp as one number means cores") {
    auto p = run_pipeline("name: t\nmemory: 1G\nsmp: 6\ndisks:\n  - path: x.iso\n    media: cdrom\n");
    REQUIRE(p.errors().empty());
    CHECK(p.loaded.profile.disks[0].bus == DiskBus::sata);
    CHECK(p.loaded.profile.smp.cores == 6);
    CHECK(p.loaded.profile.smp.cpus() == 6);
}

TEST_CASE("extra QEMU args are allowed but flagged") {
    auto p = run_pipeline("name: t\nmemory: 1G\nqemu_extra_args: [-s]\n");
    CHECK(p.errors().empty());
    bool warned = false;
    for (auto& d : p.loaded.diagnostics.all())
        if (d.severity == Severity::warning && d.message.find("unchecked") != std::string::npos) warned = true;
    CHECK(warned);
}

// The line of the first warning that says `text`; 0 when none does.
static int warned_at(const Pipeline& p, const std::string& text) {
    for (auto& d : p.loaded.diagnostics.all())
        if (d.severity == Severity::warning && d.message.find(text) != std::string::npos) return d.loc.line;
    return 0;
}

TEST_CASE("a balloon is a virtio-balloon on pcie.0; with passthrough or hugepages it is warned about, not refused") {
    auto plain = run_pipeline("name: t\nmemory: 1G\nballoon: true\n");
    REQUIRE(plain.errors().empty());
    REQUIRE(plain.planned.plan);
    REQUIRE(plain.planned.plan->balloon);
    CHECK(plain.planned.plan->balloon->bus == "pcie.0");
    CHECK(plain.loaded.diagnostics.all().empty());
    auto vfio = run_pipeline("name: t\nmemory: 1G\nballoon: true\npassthrough:\n  - host: 01:00.0\n");
    CHECK(vfio.errors().empty());
    CHECK(warned_at(vfio, "VFIO pins all guest memory") == 3);
    auto huge = run_pipeline("name: t\nmemory: 1G\nhugepages: true\nballoon: true\n");
    CHECK(warned_at(huge, "huge pages are not returned 4K at a time") == 4);
    auto bad = run_pipeline("name: t\nmemory: 1G\nballoon: maybe\n");
    REQUIRE(bad.errors().size() == 1);
    CHECK(bad.errors()[0] == "bad.yaml:3:10: 'balloon' must be true or false, got 'maybe'");
    CHECK_FALSE(run_pipeline("name: t\nmemory: 1G\nballoon: false\n").planned.plan->balloon);
}

TEST_CASE("x_vga under OVMF is warned about at its line; under SeaBIOS it is what x_vga is for") {
    auto ovmf = run_pipeline("name: t\nmemory: 1G\nfirmware: ovmf\ndisplay:\n  vga: none\npassthrough:\n  - host: 01:00.0\n    x_vga: true\n");
    CHECK(ovmf.errors().empty());
    CHECK(warned_at(ovmf, "x_vga is for SeaBIOS (legacy boot)") == 8);
    CHECK(warned_at(ovmf, "disable_vga=1") == 8);
    auto seabios = run_pipeline("name: t\nmemory: 1G\nfirmware: seabios\ndisplay:\n  vga: none\npassthrough:\n  - host: 01:00.0\n    x_vga: true\n");
    CHECK(seabios.errors().empty());
    CHECK(seabios.loaded.diagnostics.all().empty());
}

TEST_CASE("host_display keeps what outlives the desktop session: ALSA, a system-wide sound server") {
    const std::string base = "name: t\nmemory: 1G\npassthrough:\n  - 01:00.0\nhost_display: handoff\n";
    CHECK(run_pipeline(base + "audio: {backend: alsa}\n").errors().empty());
    CHECK(run_pipeline(base + "audio: {backend: pulseaudio, server: /run/pulse/native}\n").errors().empty());
    // The same audio without host_display is the two-GPU desktop's usual set-up.
    CHECK(run_pipeline("name: t\nmemory: 1G\naudio: {backend: pipewire, user: root}\nlooking_glass: {owner: root}\n").errors().empty());
}
