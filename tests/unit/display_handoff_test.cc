// Single-GPU handoff on a simulated sysfs: which GPU is the boot GPU, which
// modules go and in what order (as the kernel's holders say), and that every
// step taken at start is journaled and undone by the journal's replay.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "host/display/display_handoff.h"
#include "host/host_restore.h"
#include "profile_fixture.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

// A module and the modules that use it (sys/module/NAME/holders/USER).
void add_module(const std::string& root, const std::string& name, const std::vector<std::string>& holders = {}) {
    auto dir = fs::path(root) / "sys/module" / name / "holders";
    fs::create_directories(dir);
    for (const auto& h : holders) {
        fs::create_directories(fs::path(root) / "sys/module" / h / "holders");
        fs::create_symlink("../../" + h, dir / h);
    }
}

// An NVIDIA desktop: the boot GPU and its audio; nvidia's users as its 535 driver loads them.
void nvidia_desktop(const std::string& root) {
    add_function(root, {"0000:01:00.0", "0x10de", "0x2484", "0x030000", "nvidia", 12, 1});
    add_function(root, {"0000:01:00.1", "0x10de", "0x228b", "0x040300", "snd_hda_intel", 12, 0});
    add_module(root, "nvidia", {"nvidia_modeset", "nvidia_uvm"});
    add_module(root, "nvidia_modeset", {"nvidia_drm"});
    add_module(root, "nvidia_uvm");
    add_module(root, "nvidia_drm");
}

std::vector<PciAddress> addresses(std::initializer_list<const char*> list) {
    std::vector<PciAddress> out;
    for (auto a : list) out.push_back(*parse_pci_address(a));
    return out;
}

}  // namespace

TEST_CASE("the GPU driver's modules go users first, as sys/module/*/holders lists them") {
    TempDir root;
    nvidia_desktop(root.path);
    std::string why;
    auto modules = modules_to_unload(root.path, *parse_pci_address("0000:01:00.0"), addresses({"0000:01:00.0", "0000:01:00.1"}), why);
    CHECK(modules == std::vector<std::string>{"nvidia_drm", "nvidia_modeset", "nvidia_uvm", "nvidia"});
}

TEST_CASE("no module is unloaded when the driver drives a GPU the host keeps, or is built in, or absent") {
    TempDir root;
    nvidia_desktop(root.path);
    add_function(root.path, {"0000:02:00.0", "0x10de", "0x1c82", "0x030000", "nvidia", 13, 0});
    std::string why;
    CHECK(modules_to_unload(root.path, *parse_pci_address("0000:01:00.0"), addresses({"0000:01:00.0", "0000:01:00.1"}), why).empty());
    CHECK(why == "nvidia also drives 0000:02:00.0, which stays with the host");

    // ahci is built in on Debian: no module link below its driver.
    add_function(root.path, {"0000:03:00.0", "0x1234", "0x1111", "0x030000", "bochs-drm", 14, 0});
    CHECK(modules_to_unload(root.path, *parse_pci_address("0000:03:00.0"), addresses({"0000:03:00.0"}), why).empty());
    CHECK(why == "bochs-drm is built into the kernel");

    add_function(root.path, {"0000:04:00.0", "0x1234", "0x1111", "0x030000", "", 15, 0});
    CHECK(modules_to_unload(root.path, *parse_pci_address("0000:04:00.0"), addresses({"0000:04:00.0"}), why).empty());
    CHECK(why == "0000:04:00.0 has no driver");
}

TEST_CASE("the boot GPU is the passed device whose boot_vga is 1") {
    TempDir root;
    nvidia_desktop(root.path);
    auto p = run_pipeline("name: g\nmemory: 1G\npassthrough:\n  - 01:00.1\n  - 01:00.0\n");
    REQUIRE(p.errors().empty());
    auto gpu = passed_boot_gpu(root.path, p.loaded.profile);
    REQUIRE(gpu);
    CHECK(gpu->str() == "0000:01:00.0");
    auto audio_only = run_pipeline("name: g\nmemory: 1G\npassthrough:\n  - 01:00.1\n");
    CHECK_FALSE(passed_boot_gpu(root.path, audio_only.loaded.profile));
}

TEST_CASE("the handoff journals each step before it is made, and the replay undoes them newest first") {
    TempDir root;
    nvidia_desktop(root.path);
    auto vt = [&](const std::string& n, const std::string& name) {
        fs::create_directories(root.path / "sys/class/vtconsole" / n);
        write_file(root.path / "sys/class/vtconsole" / n / "name", name + "\n");
        write_file(root.path / "sys/class/vtconsole" / n / "bind", "1\n");
    };
    vt("vtcon0", "(S) dummy device");
    vt("vtcon1", "(M) frame buffer device");
    auto efifb = root.path / "sys/bus/platform/drivers/efi-framebuffer";
    // The platform device, bound: its folder under the driver, its driver link.
    auto efifb_device = root.path / "sys/bus/platform/devices/efi-framebuffer.0";
    fs::create_directories(efifb / "efi-framebuffer.0");
    fs::create_directories(efifb_device);
    fs::create_directory_symlink("../../drivers/efi-framebuffer", efifb_device / "driver");
    write_file(efifb / "bind", "");
    write_file(efifb / "unbind", "");
    fs::create_directories(root.path / "proc");  // no process holds the GPU
    // The display manager's commands leave a trace: what ran, in order.
    auto trace = root / "trace";
    auto yaml = "name: g\nmemory: 1G\npassthrough:\n  - 01:00.0\n  - 01:00.1\nhost_display:\n"
                "  stop: [/bin/sh, -c, 'echo stop >> " + trace + "']\n"
                "  start: [/bin/sh, -c, 'echo start >> " + trace + "']\n";
    auto facts = fixed_facts("g");
    facts.sysroot = root.path.string();
    auto p = run_pipeline(yaml, "/vm", facts);
    REQUIRE(p.errors().empty());
    Journal journal(root / "journal");
    REQUIRE(hand_over_display(*p.planned.plan, journal) == "");

    CHECK(read_file(trace) == "stop\n");
    CHECK(read_file(root.path / "sys/class/vtconsole/vtcon1/bind") == "0\n");
    CHECK(read_file(root.path / "sys/class/vtconsole/vtcon0/bind") == "1\n");  // the dummy console is nobody's
    CHECK(read_file(efifb / "unbind") == "efi-framebuffer.0\n");
    std::vector<std::string> actions;
    for (const auto& e : journal.read().entries) actions.push_back(e.action);
    // A simulated sysfs has no kernel to unload modules from: none journaled.
    CHECK(actions == std::vector<std::string>{"display-manager", "vtconsole", "framebuffer"});

    fs::remove_all(efifb / "efi-framebuffer.0");  // what the kernel does on unbind
    fs::remove(efifb_device / "driver");
    VmPaths vm{"g", root / "run/g", root / "state"};
    auto report = make_restorer(vm).restore(journal);
    CHECK(report.ok());
    CHECK(read_file(efifb / "bind") == "efi-framebuffer.0\n");
    CHECK(read_file(root.path / "sys/class/vtconsole/vtcon1/bind") == "1\n");
    CHECK(read_file(trace) == "stop\nstart\n");
    CHECK_FALSE(journal.exists());
}

TEST_CASE("a GPU still held after the display manager stopped gives the start up, naming the holder") {
    TempDir root;
    nvidia_desktop(root.path);
    fs::create_directories(function_dir(root.path, "0000:01:00.0") + "/drm/card0");
    // A process with /dev/dri/card0 open, as proc/PID/fd shows it.
    fs::create_directories(root.path / "proc/4242/fd");
    fs::create_symlink("/dev/dri/card0", root.path / "proc/4242/fd/7");
    write_file(root.path / "proc/4242/comm", "Xorg\n");
    auto yaml = "name: g\nmemory: 1G\npassthrough:\n  - 01:00.0\n  - 01:00.1\nhost_display:\n"
                "  stop: [/bin/true]\n  start: [/bin/true]\n  timeout: 1\n";
    auto facts = fixed_facts("g");
    facts.sysroot = root.path.string();
    auto p = run_pipeline(yaml, "/vm", facts);
    REQUIRE(p.errors().empty());
    Journal journal(root / "journal");
    auto err = hand_over_display(*p.planned.plan, journal);
    CHECK(err.find("the GPU 0000:01:00.0 is still in use 1 s after the display manager was stopped") != std::string::npos);
    CHECK(err.find("4242") != std::string::npos);
    CHECK(err.find("host_display.timeout") != std::string::npos);
    REQUIRE(journal.read().entries.size() == 1);  // the display manager: started again by the replay
    CHECK(journal.read().entries[0].action == "display-manager");
}
