// Each example profile's argv against a checked-in expected argv (one argument
// per line). VMRUN_UPDATE_GOLDEN=1 rewrites the files; review the diff.

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "example_profiles.h"
#include "profile/profile_file.h"
#include "profile_fixture.h"
#include "plan/qemu_argv.h"

using namespace vmrun;

namespace {

const std::string kSource = VMRUN_SOURCE_DIR;

std::vector<std::string> argv_of(const std::string& profile_name) {
    auto f = read_profile_file(kSource + "/profiles/" + profile_name + ".yaml");
    REQUIRE(f.readable);
    INFO(render_all(f));
    REQUIRE_FALSE(f.loaded.diagnostics.has_errors());
    auto planned = make_launch_plan(f.loaded.profile, vmrun::testing::fixed_facts(f.loaded.profile.name));
    REQUIRE(planned.plan);
    auto argv = build_qemu_argv(*planned.plan);
    // The checkout's location is not part of the expected text.
    for (auto& a : argv)
        for (size_t pos; (pos = a.find(kSource)) != std::string::npos;) a.replace(pos, kSource.size(), "@SOURCE@");
    return argv;
}

std::vector<std::string> golden(const std::string& name, const std::vector<std::string>& actual) {
    std::string path = kSource + "/tests/golden/" + name + ".argv";
    if (std::getenv("VMRUN_UPDATE_GOLDEN")) {
        std::ofstream out(path);
        for (const auto& a : actual) out << a << "\n";
    }
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "missing " << path << " (VMRUN_UPDATE_GOLDEN=1 creates it)");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool has(const std::vector<std::string>& argv, const std::string& opt, const std::string& value) {
    for (size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == opt && argv[i + 1] == value) return true;
    return false;
}

}  // namespace

TEST_CASE("golden argv of every example profile") {
    for (const auto& name : vmrun::testing::example_profiles()) {
        CAPTURE(name);
        auto actual = argv_of(name);
        CHECK(actual == golden(name, actual));
    }
}

TEST_CASE("win7 carries every element of the seed's Windows 7 command") {
    auto a = argv_of("win7");
    CHECK(a[0] == "qemu-system-x86_64");
    CHECK(has(a, "-machine", "q35,accel=kvm"));
    CHECK(has(a, "-cpu", "host,kvm=off"));
    CHECK(has(a, "-rtc", "base=localtime"));
    CHECK(has(a, "-smp", "4,sockets=1,cores=4,threads=1"));
    CHECK(has(a, "-m", "8192M"));
    CHECK(has(a, "-device", "ioh3420,id=rp1,bus=pcie.0,addr=0x1c.0x0,multifunction=on,chassis=1,port=1"));
    CHECK(has(a, "-device", "vfio-pci,host=0000:01:00.0,id=gpu,bus=rp1,addr=0x0.0x0,multifunction=on,x-vga=on"));
    CHECK(has(a, "-device", "vfio-pci,host=0000:01:00.1,id=gpu-audio,bus=rp1,addr=0x0.0x1"));
    CHECK(has(a, "-drive", "if=none,id=drive-system,file=/dev/sdc6,format=raw,cache=none,aio=native"));
    CHECK(has(a, "-device", "virtio-blk-pci,drive=drive-system,id=system,bus=pcie.0,addr=0x2"));
    CHECK(has(a, "-drive", "if=none,id=drive-install,file=/var/lib/vmrun/iso/win7.iso,format=raw,media=cdrom,readonly=on"));
    CHECK(has(a, "-drive", "if=none,id=drive-drivers,file=/var/lib/vmrun/iso/virtio-win.iso,format=raw,media=cdrom,readonly=on"));
    CHECK(has(a, "-netdev", "tap,id=netdev-net0,ifname=tap0,script=no,downscript=no"));
    CHECK(has(a, "-device", "virtio-net-pci,netdev=netdev-net0,id=net0,mac=52:54:00:12:34:56,bus=pcie.0,addr=0x3"));
    // The USB controllers on the root complex at their host addresses, as the seed places
    // them (guest_address): OHCI and its EHCI companion as functions 0 and 2 of one slot.
    CHECK(has(a, "-device", "vfio-pci,host=0000:00:12.0,id=usb-ctrl-1,bus=pcie.0,addr=0x12.0x0,multifunction=on"));
    CHECK(has(a, "-device", "vfio-pci,host=0000:00:12.2,id=usb-ctrl-1-ehci,bus=pcie.0,addr=0x12.0x2"));
    CHECK(has(a, "-device", "vfio-pci,host=0000:00:13.0,id=usb-ctrl-2,bus=pcie.0,addr=0x13.0x0,multifunction=on"));
    CHECK(has(a, "-device", "vfio-pci,host=0000:00:13.2,id=usb-ctrl-2-ehci,bus=pcie.0,addr=0x13.0x2"));
    CHECK(has(a, "-vga", "none"));
    CHECK(has(a, "-display", "none"));
}

TEST_CASE("a tap NIC whose tap vmrun opened is handed to QEMU as fd=N, keeping vhost") {
    auto p = vmrun::testing::run_pipeline("name: t\nmemory: 1G\nnetwork:\n  - type: tap\n    bridge: br0\n    id: lan\n");
    REQUIRE(p.planned.plan);
    p.planned.plan->nics[0].vhost = true;
    auto by_name = build_qemu_argv(*p.planned.plan);
    CHECK(has(by_name, "-netdev", "tap,id=netdev-lan,ifname=" + p.planned.plan->nics[0].tap + ",script=no,downscript=no,vhost=on"));
    auto by_fd = build_qemu_argv(*p.planned.plan, {{{"lan", 7}}});
    CHECK(has(by_fd, "-netdev", "tap,id=netdev-lan,fd=7,vhost=on"));
}

TEST_CASE("a disk path with ',' and '=' stays one value") {
    auto p = vmrun::testing::run_pipeline("name: t\nmemory: 1G\ndisks:\n  - path: \"/vm/a,readonly=off,b=c.img\"\n");
    REQUIRE(p.planned.plan);
    auto a = build_qemu_argv(*p.planned.plan);
    CHECK(has(a, "-drive", "if=none,id=drive-disk0,file=/vm/a,,readonly=off,,b=c.img,format=raw"));
}
