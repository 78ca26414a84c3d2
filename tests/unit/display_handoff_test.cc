// Single-GPU handoff on a simulated sysfs: which GPU is the boot GPU, which
// modules go and in what order (as the kernel's holders say), and that every
// step taken at start is journaled and undone by the journal's replay.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "failure_text.h"
#include "host/display/display_handoff.h"
#include "host/host_restore.h"
#include "host/pci/host_usage.h"
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
    REQUIRE(testing::failure_text(hand_over_display(*p.planned.plan, journal)) == "");

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
    // No module is reloaded here: the GPU is on no driver, and the console needs the framebuffer back.
    fs::remove(root.path / "sys/bus/pci/devices/0000:01:00.0/driver");
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
    auto failure = hand_over_display(*p.planned.plan, journal);
    REQUIRE(failure);
    CHECK(failure->where == "0000:01:00.0");
    auto err = failure->text();
    CHECK(err.find("the GPU 0000:01:00.0 is still in use 1 s after the display manager was stopped") != std::string::npos);
    CHECK(err.find("4242") != std::string::npos);
    CHECK(failure->fix == "stop those programs, or give host_display.timeout more time");
    REQUIRE(journal.read().entries.size() == 1);  // the display manager: started again by the replay
    CHECK(journal.read().entries[0].action == "display-manager");
}

namespace {

// A process holding `node`, in the cgroup `cgroup` (as /proc/PID/cgroup's v2 line names it).
void add_holder(const fs::path& root, int pid, const std::string& comm, const std::string& node, const std::string& cgroup) {
    auto proc = root / "proc" / std::to_string(pid);
    fs::create_directories(proc / "fd");
    write_file(proc / "comm", comm + "\n");
    write_file(proc / "cgroup", "0::" + cgroup + "\n");
    fs::create_symlink(node, proc / "fd/5");
}

std::vector<Failure> holders_refused(const fs::path& root, const HostDisplay& hd) {
    return unexpected_gpu_holders(root.string(), *parse_pci_address("0000:01:00.0"), hd, "g.yaml");
}

}  // namespace

TEST_CASE("before anything is stopped, a GPU holder the display manager's stop will not end is refused, named by its unit") {
    TempDir root;
    nvidia_desktop(root.path);
    fs::create_directories(root.path / "etc/systemd/system");
    fs::create_symlink("/lib/systemd/system/gdm.service", root.path / "etc/systemd/system/display-manager.service");
    fs::create_directories(root.path / "run/systemd/sessions");
    write_file(root.path / "run/systemd/sessions/2", "TYPE=wayland\nSERVICE=gdm-password\n");
    write_file(root.path / "run/systemd/sessions/7", "TYPE=tty\nSERVICE=sshd\n");
    add_holder(root.path, 700, "Xorg", "/dev/nvidia0", "/system.slice/gdm.service");  // the display manager: ends with it
    add_holder(root.path, 701, "gnome-shell", "/dev/nvidia0", "/user.slice/user-1000.slice/session-2.scope");  // a graphical session
    add_holder(root.path, 702, "bash", "/dev/null", "/system.slice/sshd.service");  // holds nothing of the GPU's
    HostDisplay hd;  // display-manager.service
    CHECK(holders_refused(root.path, hd).empty());

    add_holder(root.path, 800, "nvidia-persistenced", "/dev/nvidia0", "/system.slice/nvidia-persistenced.service");
    add_holder(root.path, 801, "python3", "/dev/nvidia0", "/user.slice/user-1000.slice/user@1000.service/app.slice/train.service");
    add_holder(root.path, 802, "cuda-job", "/dev/nvidia0", "/user.slice/user-1000.slice/session-7.scope");  // over ssh
    auto refused = holders_refused(root.path, hd);
    REQUIRE(refused.size() == 3);
    CHECK(refused[0].what ==
          "the GPU 0000:01:00.0 is held by a process stopping display-manager.service will not end: pid 800 (nvidia-persistenced) has "
          "/dev/nvidia0 open in nvidia-persistenced.service");
    CHECK(refused[0].fix ==
          "stop it first (systemctl stop nvidia-persistenced.service), or list nvidia-persistenced.service under "
          "host_display.stop_units in g.yaml so vmrun stops it and starts it again");
    CHECK(refused[1].what.find("pid 801 (python3) has /dev/nvidia0 open in train.service of user@1000.service") != std::string::npos);
    CHECK(refused[1].fix.find("systemctl --user stop train.service") != std::string::npos);
    CHECK(refused[2].what.find("pid 802 (cuda-job) has /dev/nvidia0 open in session-7.scope") != std::string::npos);

    hd.stop_units = {"nvidia-persistenced.service", "user@1000.service"};
    refused = holders_refused(root.path, hd);
    REQUIRE(refused.size() == 1);
    CHECK(refused[0].what.find("pid 802") != std::string::npos);
}

TEST_CASE("an NVIDIA GPU's holders are those of its own /dev/nvidiaN, as the driver reports its minor") {
    TempDir root;
    nvidia_desktop(root.path);
    add_holder(root.path, 900, "blender", "/dev/nvidia1", "/system.slice/render.service");  // the host's other card
    HostDisplay hd;
    // Without the driver's word every /dev/nvidia* node counts.
    CHECK(holders_refused(root.path, hd).size() == 1);
    fs::create_directories(root.path / "proc/driver/nvidia/gpus/0000:01:00.0");
    write_file(root.path / "proc/driver/nvidia/gpus/0000:01:00.0/information", "Model: \t\t NVIDIA GeForce RTX 3060\nDevice Minor: \t 0\n");
    CHECK(holders_refused(root.path, hd).empty());
    add_holder(root.path, 901, "nvidia-smi", "/dev/nvidia0", "/system.slice/monitor.service");
    CHECK(holders_refused(root.path, hd).size() == 1);
}

TEST_CASE("nvidia's information file: a Device Minor line with nothing after the colon names no node") {
    // fuzz_proc_sys: substr(npos) threw std::out_of_range out of the holder check.
    CHECK(parse_nvidia_minor("Device Minor:") == "");
    CHECK(parse_nvidia_minor("Model: \t\t NVIDIA GeForce RTX 3060\nDevice Minor: \t \nGPU Excluded:\t No\n") == "");
    CHECK(parse_nvidia_minor("Device Minor: \t 1\nDevice Minor:\n") == "1");
    CHECK(parse_nvidia_minor("Device Minor: \t 1a\n") == "");
}

TEST_CASE("a process's unit from its cgroup: v2 and v1, a user service under its manager, none") {
    TempDir root;
    auto proc = [&](int pid, const std::string& text) {
        fs::create_directories(root.path / "proc" / std::to_string(pid));
        write_file(root.path / "proc" / std::to_string(pid) / "cgroup", text);
    };
    proc(1, "0::/init.scope\n");
    proc(2, "12:pids:/system.slice/x.service\n1:name=systemd:/system.slice/nvidia-persistenced.service\n0::/system.slice/other.service\n");
    proc(3, "0::/user.slice/user-1000.slice/user@1000.service/app.slice/train.service\n");
    proc(4, "0::/\n");
    proc(5, "0::/user.slice/user-1000.slice/user@1000.service/init.scope\n");
    CHECK(unit_of_process(root.path, "1").unit == "init.scope");
    CHECK(unit_of_process(root.path, "2").unit == "nvidia-persistenced.service");
    auto user = unit_of_process(root.path, "3");
    CHECK(user.unit == "train.service");
    CHECK(user.user_manager == "user@1000.service");
    CHECK(unit_of_process(root.path, "4").unit.empty());
    CHECK(unit_of_process(root.path, "5").unit == "init.scope");
    CHECK(unit_of_process(root.path, "404").unit.empty());
}
