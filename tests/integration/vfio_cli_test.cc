// The real vmrun binary binding and restoring against simulated hosts (a
// simulated sysfs with a simulated kernel answering the writes): vmrun bind,
// a SIGKILL halfway through a group then vmrun restore, and vmrun start, whose
// QEMU cannot open simulated devices — so everything must be given back.

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "text_has.h"
#include "run_vmrun.h"
#include "sim_kernel.h"
#include "sim_sysfs.h"
#include "host/sysfs_io.h"
#include "temp_dir.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {


const char* kGpuGroup = "passthrough:\n"
                        "  - host: 01:00.0\n    x_vga: true\n"
                        "  - host: 01:00.1\n"
                        "  - host: 01:00.2\n"
                        "  - host: 01:00.3\n";

struct SimHost {
    TempDir dir;
    VmrunEnv env;
    std::string name, profile;
    std::unique_ptr<SimKernel> kernel;

    SimHost(const std::string& vm_name, void (*build)(const std::string&), const std::string& extra) : name(vm_name) {
        build(root());
        env = {dir / "run", dir / "state", root()};
        profile = dir / (name + ".yaml");
        write_file(profile, tiny_guest_profile(name, extra));
        kernel = std::make_unique<SimKernel>(root());
    }
    std::string root() const { return dir / "host"; }
    std::string driver(const std::string& a) const { return vmrun::symlink_name(fs::path(root()) / "sys/bus/pci/devices" / a / "driver"); }
    std::string journal() const { return env.state_dir + "/" + name + "/journal"; }
    bool wrote(const std::string& file_part, const std::string& value) const {
        for (const auto& w : kernel->writes())
            if (has(w.file, file_part) && w.value == value) return true;
        return false;
    }
    void require_gpu_group_home() const {
        CHECK(driver("0000:01:00.0") == "nvidia");
        CHECK(driver("0000:01:00.1") == "snd_hda_intel");
        CHECK(driver("0000:01:00.2") == "xhci_hcd");
        CHECK(driver("0000:01:00.3") == "nvidia-gpu");
        CHECK(vmrun::read_first_line(fs::path(root()) / "sys/bus/pci/devices/0000:01:00.0/driver_override") == "(null)");
        CHECK_FALSE(fs::exists(fs::path(root()) / "dev/vfio/1"));
    }
};

}  // namespace

TEST_CASE("vmrun bind takes a whole group by address, and vmrun restore gives it back") {
    SimHost host("bind-gpu", sim_i9_9900k, kGpuGroup);
    auto r = run_vmrun(host.env, {"bind", host.profile});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(has(r.out, "0000:01:00.0 -> vfio-pci (was nvidia), /dev/vfio/1"));
    CHECK(has(r.out, "give them back with: vmrun restore bind-gpu"));
    for (auto a : {"0000:01:00.0", "0000:01:00.1", "0000:01:00.2", "0000:01:00.3"}) CHECK(host.driver(a) == "vfio-pci");
    CHECK(host.driver("0000:00:01.0") == "pcieport");
    CHECK(fs::exists(host.root() + "/dev/vfio/1"));

    auto back = run_vmrun(host.env, {"restore", "bind-gpu"});
    INFO(back.err);
    CHECK(back.exit_code == 0);
    CHECK(has(back.err, "restored: 0000:01:00.0 back on nvidia"));
    host.require_gpu_group_home();
    CHECK_FALSE(fs::exists(host.journal()));
}

TEST_CASE("vmrun restore with the group still open says what is left and how to finish, and keeps the journal") {
    SimHost host("bind-held", sim_i9_9900k, kGpuGroup);
    REQUIRE(run_vmrun(host.env, {"bind", host.profile}).exit_code == 0);
    // A program of someone else's still holds the group open (as a QEMU that did not exit would).
    auto proc = fs::path(host.root()) / "proc/5151";
    fs::create_directories(proc / "fd");
    write_file(proc / "comm", "qemu-system-x86\n");
    fs::create_symlink("/dev/vfio/1", proc / "fd/23");

    auto held = run_vmrun(host.env, {"restore", "bind-held"});
    INFO(held.err);
    CHECK(held.exit_code != 0);
    CHECK(has(held.err, "restore failed: 0000:01:00.0 stays on vfio-pci: its IOMMU group is still in use (pid 5151 (qemu-system-x86)"));
    CHECK(has(held.err, "; run 'vmrun restore' again once that program has ended"));
    CHECK(host.driver("0000:01:00.0") == "vfio-pci");
    CHECK(fs::exists(host.journal()));

    fs::remove_all(proc);
    auto back = run_vmrun(host.env, {"restore", "bind-held"});
    INFO(back.err);
    CHECK(back.exit_code == 0);
    host.require_gpu_group_home();
}

TEST_CASE("vmrun killed halfway through binding a group: vmrun restore rolls back what was done, twice safely") {
    SimHost host("bind-crash", sim_i9_9900k, kGpuGroup);
    host.kernel->stall_probe("0000:01:00.2");
    pid_t vmrun = spawn_vmrun(host.env, {"bind", host.profile}, host.dir / "bind.log");
    // vmrun now waits for a bind that does not come: the crash lands mid-group.
    bool stalled = false;
    for (int i = 0; i < 200 && !stalled; ++i) {
        stalled = host.wrote("drivers_probe", "0000:01:00.2");
        std::this_thread::sleep_for(20ms);
    }
    REQUIRE(stalled);
    ::kill(vmrun, SIGKILL);
    ::waitpid(vmrun, nullptr, 0);
    CHECK(host.driver("0000:01:00.0") == "vfio-pci");
    CHECK(host.driver("0000:01:00.2") == "");
    CHECK(host.driver("0000:01:00.3") == "nvidia-gpu");  // never reached
    REQUIRE(fs::exists(host.journal()));

    auto r = run_vmrun(host.env, {"restore", "bind-crash"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    host.require_gpu_group_home();
    auto again = run_vmrun(host.env, {"restore", "bind-crash"});
    CHECK(again.exit_code == 0);
    CHECK(has(again.err, "nothing to restore"));
}

TEST_CASE("vmrun start with a group left half listed is refused before any change, naming the missing functions") {
    SimHost host("start-partial", sim_i9_9900k, "passthrough:\n  - host: 01:00.0\n    x_vga: true\n  - host: 01:00.1\n");
    auto r = run_vmrun(host.env, {"start", "--foreground", host.profile});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "also holds 0000:01:00.2 [10de:1ad6] (driver xhci_hcd)"));
    CHECK(has(r.err, "add '- host: 0000:01:00.3' to passthrough"));
    CHECK(has(r.err, "nothing on the host was changed"));
    CHECK(host.kernel->writes().empty());
}

TEST_CASE("vmrun bind refuses the server's disks the host uses — multipath swap, LVM mount, md member — before any write") {
    SimHost host("disks-in-use", sim_dl360, "passthrough:\n  - host: 5e:00.0\n  - host: 5f:00.0\n  - host: 60:00.0\n");
    add_multipath_nvme_swap(host.root(), "0000:5e:00.0", 0);
    add_lvm_mounted_nvme(host.root(), "0000:5f:00.0", 1, 0, "/");
    add_md_member_nvme(host.root(), "0000:60:00.0", 2, "md127");
    auto r = run_vmrun(host.env, {"bind", host.profile});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "0000:5e:00.0 holds active swap: /dev/nvme0n1 (namespace of NVMe subsystem nvme-subsys0, reached through nvme0c0n1)"));
    CHECK(has(r.err, "0000:5f:00.0 holds a mounted filesystem: / on /dev/mapper/vg0-root (LVM volume vg0-root on nvme1n1p2)"));
    CHECK(has(r.err, "0000:5f:00.0 is claimed by LVM volume vg0-root (/dev/dm-0): /dev/nvme1n1p2 (partition of nvme1n1)"));
    CHECK(has(r.err, "0000:60:00.0 is claimed by md RAID md127 (raid1) (/dev/md127): /dev/nvme2n1"));
    CHECK(has(r.err, "nothing was bound"));
    CHECK(host.kernel->writes().empty());
    for (auto a : {"0000:5e:00.0", "0000:5f:00.0", "0000:60:00.0"}) CHECK(host.driver(a) == "nvme");
    CHECK_FALSE(fs::exists(host.journal()));
}

TEST_CASE("vmrun start refuses the boot GPU under the host console unless --force-bind") {
    SimHost host("start-console", sim_i9_9900k, kGpuGroup);
    add_framebuffer_console(host.root());
    auto r = run_vmrun(host.env, {"start", "--foreground", host.profile});
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "0000:01:00.0 is the boot GPU and the host console is on it"));
    CHECK(host.kernel->writes().empty());
}

TEST_CASE("vmrun start binds the group, QEMU cannot open the simulated devices, and every driver comes back") {
    SimHost host("start-sim", sim_i9_9900k, kGpuGroup);
    auto r = run_vmrun(host.env, {"start", "--foreground", host.profile});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "QEMU did not start"));
    CHECK(has(r.err, "vfio"));  // QEMU's own words about the device it could not open
    CHECK(host.wrote("drivers_probe", "0000:01:00.3"));  // the whole group was bound first
    host.require_gpu_group_home();
    CHECK_FALSE(fs::exists(host.journal()));
}

TEST_CASE("vmrun check PROFILE on the seeds' hosts: the group plan, and what blocks it") {
    {
        SimHost host("check-gpu", sim_i9_9900k, kGpuGroup);
        add_host_basics(host.root(), {});
        auto r = run_vmrun(host.env, {"check", host.profile});
        INFO(r.out << r.err);
        CHECK(has(r.out, "PASS  IOMMU      on: 3 groups (dmar0)"));
        CHECK(has(r.out, "PASS  vfio       vfio, vfio_iommu_type1 and vfio_pci are loaded"));
        CHECK(has(r.out, "PASS  group 1    0000:01:00.0 [10de:1e07] nvidia -> vfio-pci, 0000:01:00.1 [10de:10f7] snd_hda_intel -> "
                         "vfio-pci, 0000:01:00.2 [10de:1ad6] xhci_hcd -> vfio-pci, 0000:01:00.3 [10de:1ad7] nvidia-gpu -> vfio-pci; "
                         "bridge 0000:00:01.0 stays on pcieport"));
        // The 2080 Ti is the i9's boot GPU, passed without a romfile.
        CHECK(has(r.out, "WARN  rom        0000:01:00.0 is the host's boot GPU: its ROM reads back as the copy the host firmware "
                         "left at 0xC0000"));
        CHECK(r.exit_code == 0);
        CHECK(host.kernel->writes().empty());  // check changes nothing
    }
    {
        SimHost host("check-server", sim_dl360, "passthrough:\n  - host: 5e:00.0\n  - host: 86:00.0\n");
        add_host_basics(host.root(), {});
        add_mounted_nvme(host.root(), "0000:5e:00.0", 0, "/");
        auto r = run_vmrun(host.env, {"check", host.profile});
        INFO(r.out);
        CHECK(r.exit_code == 1);
        CHECK(has(r.out, "FAIL  passthrough0000:5e:00.0 holds a mounted filesystem: / on /dev/nvme0n1p2 (partition of nvme0n1)"));
        // A simulated tree has no device nodes: the kernel cannot be asked, and check says so.
        CHECK(has(r.out, "WARN  passthrough0000:5e:00.0: cannot ask the kernel whether /dev/nvme0n1 is in use"));
        // The Tesla's root port is in group 78: group 79 holds the GPU alone, with no bridge to mention.
        CHECK(has(r.out, "PASS  group 79   0000:86:00.0 [10de:1b39] nvidia -> vfio-pci\n"));
    }
    {
        TempDir dir;
        sim_amd_990fx(dir / "host");
        add_host_basics(dir / "host", {.intel = false});
        VmrunEnv env{dir / "run", dir / "state", dir / "host"};
        auto r = run_vmrun(env, {"check", std::string(VMRUN_SOURCE_DIR) + "/profiles/win7.yaml"});
        INFO(r.out);
        CHECK(has(r.out, "PASS  group 5    0000:00:12.0 [1002:4397] ohci-pci -> vfio-pci, 0000:00:12.2 [1002:4396] ehci-pci -> vfio-pci"));
        CHECK(has(r.out, "FAIL  network    bridge br0 (named by a tap NIC) does not exist"));
    }
}

TEST_CASE("vmrun check of each GPU example on its simulated desktop explains every step") {
    auto check_on = [](void (*build)(const std::string&), const std::string& example) {
        TempDir dir;
        build(dir / "host");
        add_host_basics(dir / "host", {});
        VmrunEnv env{dir / "run", dir / "state", dir / "host"};
        return run_vmrun(env, {"check", std::string(VMRUN_SOURCE_DIR) + "/profiles/" + example + ".yaml"}).out;
    };
    // Single GPU: the whole 2080 Ti, its console handed over, its ROM, host sleep blocked, the TPM.
    auto single = check_on(sim_i9_9900k, "win10-gaming");
    INFO(single);
    CHECK(has(single, "PASS  group 1    0000:01:00.0 [10de:1e07] nvidia -> vfio-pci, 0000:01:00.1 [10de:10f7] snd_hda_intel -> vfio-pci, "
                      "0000:01:00.2 [10de:1ad6] xhci_hcd -> vfio-pci, 0000:01:00.3 [10de:1ad7] nvidia-gpu -> vfio-pci"));
    CHECK(has(single, "PASS  handoff    start stops nvidia-persistenced.service (when active), stops gdm.service (when active)"));
    CHECK(has(single, "WARN  rom        0000:01:00.0 is the host's boot GPU"));
    CHECK(has(single, "PASS  sleep      host suspend is blocked while the VM runs"));
    CHECK(has(single, "PASS  tpm "));
    // Two GPUs: the 3080 alone, its 16 GiB BAR in OVMF's window, the host's Radeon untouched.
    auto two = check_on(sim_ryzen_5900x, "win11-two-gpu");
    INFO(two);
    CHECK(has(two, "PASS  group 20   0000:0b:00.0 [10de:2206] nvidia -> vfio-pci, 0000:0b:00.1 [10de:1aef] snd_hda_intel -> vfio-pci"));
    CHECK(has(two, "PASS  bars       64-bit BARs 0000:0b:00.0 16416 MiB: OVMF's 64-bit PCI window is set to 64 GiB"));
    CHECK_FALSE(has(two, "0000:0c:00.0"));
    CHECK_FALSE(has(two, "WARN  rom"));
    CHECK(has(two, "PASS  sleep      host suspend is blocked while the VM runs"));
}

TEST_CASE("x_vga where vfio-pci has no VGA region (disable_vga=1): check fails it, start refuses before any change") {
    SimHost host("vga-off", sim_i9_9900k, kGpuGroup);
    add_host_basics(host.root(), {});
    fs::create_directories(fs::path(host.root()) / "sys/module/vfio_pci/parameters");
    write_file(fs::path(host.root()) / "sys/module/vfio_pci/parameters/disable_vga", "Y\n");
    auto check = run_vmrun(host.env, {"check", host.profile});
    INFO(check.out);
    CHECK(check.exit_code == 1);
    CHECK(has(check.out, "FAIL  x_vga      vfio-pci runs with disable_vga=1: it gives no device a VGA region, so QEMU refuses x_vga for 0000:01:00.0"));
    auto start = run_vmrun(host.env, {"start", "--foreground", host.profile});
    CHECK(start.exit_code == 1);
    CHECK(has(start.err, "vfio-pci runs with disable_vga=1"));
    CHECK(has(start.err, "fix: remove x_vga from " + host.profile));
    CHECK(host.kernel->writes().empty());
    // With the region there, x_vga raises nothing.
    write_file(fs::path(host.root()) / "sys/module/vfio_pci/parameters/disable_vga", "N\n");
    auto fine = run_vmrun(host.env, {"check", host.profile});
    CHECK_FALSE(has(fine.out, "x_vga"));
}

TEST_CASE("a GPU with a 32 GiB BAR under OVMF: check explains the 64-bit window, the argv carries it") {
    SimHost host("rebar", sim_i9_9900k, std::string("firmware: ovmf\n") + kGpuGroup);
    write_file(function_dir(host.root(), "0000:01:00.0") + "/resource",
               "0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200\n"
               "0x0000004000000000 0x00000047ffffffff 0x000000000014220c\n"
               "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
               "0x0000004800000000 0x0000004801ffffff 0x000000000014220c\n");
    auto check = run_vmrun(host.env, {"check", host.profile});
    INFO(check.out);
    CHECK(has(check.out, "PASS  bars       64-bit BARs 0000:01:00.0 32800 MiB: OVMF's 64-bit PCI window is set to 128 GiB "
                         "(opt/ovmf/X-PciMmio64Mb); its default 32 GiB would leave them unassigned (Code 12)"));
    auto argv = run_vmrun(host.env, {"dry-run", host.profile});
    INFO(argv.err);
    CHECK(has(argv.out, "-fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=131072"));
    // Without the resource file (BARs unknown) or under SeaBIOS: no window of vmrun's.
    write_file(host.profile, tiny_guest_profile(host.name, kGpuGroup));
    CHECK_FALSE(has(run_vmrun(host.env, {"dry-run", host.profile}).out, "X-PciMmio64Mb"));
}

TEST_CASE("the boot framebuffer in the GPU's BAR: check fails it and start refuses without host_display; with it, check says it is released") {
    SimHost host("bootfb", sim_i9_9900k, kGpuGroup);
    add_host_basics(host.root(), {});
    write_file(function_dir(host.root(), "0000:01:00.0") + "/resource",
               "0x00000000de000000 0x00000000deffffff 0x0000000000040200\n"
               "0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n");
    write_file(fs::path(host.root()) / "proc/iomem",
               "e0000000-efffffff : 0000:01:00.0\n  e0000000-e07e8fff : BOOTFB\n    e0000000-e07e8fff : simpledrm\n");
    host.kernel->sync();
    auto setup_writes = host.kernel->writes().size();  // the test's own, above
    auto check = run_vmrun(host.env, {"check", host.profile});
    INFO(check.out);
    CHECK(check.exit_code == 1);
    CHECK(has(check.out, "FAIL  bootfb     the firmware framebuffer holds memory of 0000:01:00.0 (BOOTFB 0xe0000000-0xe07e8fff in BAR 1, "
                         "simpledrm 0xe0000000-0xe07e8fff in BAR 1)"));
    auto start = run_vmrun(host.env, {"start", host.profile, "--force-bind=console"});
    CHECK(start.exit_code != 0);
    CHECK(has(start.err, "the firmware framebuffer holds memory of 0000:01:00.0"));
    CHECK(has(start.err, "initcall_blacklist=sysfb_init"));
    host.kernel->sync();
    CHECK(host.kernel->writes().size() == setup_writes);  // refused before any change

    write_file(host.profile, tiny_guest_profile(host.name, std::string(kGpuGroup) + "host_display: handoff\n"));
    auto handoff = run_vmrun(host.env, {"check", host.profile});
    INFO(handoff.out);
    CHECK(has(handoff.out, "PASS  handoff    BOOTFB 0xe0000000-0xe07e8fff in BAR 1, simpledrm 0xe0000000-0xe07e8fff in BAR 1 of 0000:01:00.0: "
                           "host_display releases the firmware framebuffer and checks the BAR is free before the bind"));
    CHECK_FALSE(has(handoff.out, "FAIL  bootfb"));
}

TEST_CASE("vmrun check explains the reset of an AMD GPU with the reset bug: warned without vendor-reset, chosen with it") {
    SimHost host("navi", sim_i9_9900k, "passthrough:\n  - host: 01:00.0\n  - host: 01:00.1\n  - host: 01:00.2\n  - host: 01:00.3\n");
    add_host_basics(host.root(), {});
    auto gpu = fs::path(host.root()) / "sys/bus/pci/devices/0000:01:00.0";
    write_file(gpu / "vendor", "0x1002\n");
    write_file(gpu / "device", "0x731f\n");
    write_file(gpu / "reset_method", "bus\n");
    auto without = run_vmrun(host.env, {"check", host.profile});
    INFO(without.out);
    CHECK(has(without.out, "WARN  reset      0000:01:00.0 [1002:731f] is an AMD GPU whose own resets fail (the AMD reset bug)"));
    fs::create_directories(fs::path(host.root()) / "sys/module/vendor_reset");
    auto with = run_vmrun(host.env, {"check", host.profile});
    INFO(with.out);
    CHECK(has(with.out, "PASS  reset      0000:01:00.0 resets through vendor-reset"));
    CHECK_FALSE(has(with.out, "AMD reset bug"));
    for (const auto& w : host.kernel->writes()) CHECK(w.value != "device_specific");  // check changes nothing
}

TEST_CASE("vmrun check on a host without an IOMMU fails with the fix") {
    TempDir dir;
    sim_i9_9900k(dir / "host");
    add_host_basics(dir / "host", {.iommu_on = false});
    VmrunEnv env{dir / "run", dir / "state", dir / "host"};
    auto r = run_vmrun(env, {"check"});
    CHECK(r.exit_code == 1);
    CHECK(has(r.out, "FAIL  IOMMU      off: no IOMMU groups"));
    CHECK(has(r.out, "fix: enable VT-d in the firmware setup and add 'intel_iommu=on iommu=pt'"));
}

TEST_CASE("vmrun start --force-bind takes the boot GPU under the console, and still gives it back") {
    SimHost host("start-force", sim_i9_9900k, kGpuGroup);
    add_framebuffer_console(host.root());
    auto r = run_vmrun(host.env, {"start", "--foreground", "--force-bind", host.profile});
    INFO(r.err);
    CHECK(r.exit_code == 1);  // QEMU cannot open simulated devices
    CHECK_FALSE(has(r.err, "error: 0000:01:00.0 is the boot GPU"));
    // Taken, and said so: the kind forced and the use it overrode.
    CHECK(has(r.err, "--force-bind=console: taking it anyway: 0000:01:00.0 is the boot GPU"));
    CHECK(has(r.err, "--force-bind overrides every refusal"));
    CHECK(host.wrote("drivers_probe", "0000:01:00.0"));
    host.require_gpu_group_home();
}

TEST_CASE("vmrun start --force-bind=gpu-holders does not take the boot GPU under the console: that is another kind") {
    SimHost host("start-force-kind", sim_i9_9900k, kGpuGroup);
    add_framebuffer_console(host.root());
    auto r = run_vmrun(host.env, {"start", "--foreground", "--force-bind=gpu-holders", host.profile});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "0000:01:00.0 is the boot GPU and the host console is on it"));
    CHECK(has(r.err, "--force-bind=console"));
    CHECK_FALSE(host.wrote("drivers_probe", "0000:01:00.0"));
    auto bad = run_vmrun(host.env, {"start", "--force-bind=gpu", host.profile});
    CHECK(bad.exit_code == 64);
    CHECK(has(bad.err, "--force-bind takes console, disk, default-route, gpu-holders (comma-separated), or nothing for all of them; got 'gpu'"));
}

namespace {

// The DL360 with an Intel 82599 10G NIC whose driver offers 63 VFs at
// 3b:10.0, 3b:10.2, ... (offset 128, stride 2), probed by ixgbevf.
void sim_dl360_with_82599(const std::string& root) {
    sim_dl360(root);
    add_function(root, {"0000:3b:00.0", "0x8086", "0x10fb", "0x020000", "ixgbe", 90, -1});
    add_sriov(root, {"0000:3b:00.0", 63, 128, 2, "0x10ed", "ixgbevf", 100});
}

const char* kTwoVfs = "passthrough:\n  - {pf: 3b:00.0, vf: 0, id: vf-a}\n  - {pf: 3b:00.0, vf: 2, id: vf-c}\n";

}  // namespace

TEST_CASE("SR-IOV: check explains, start makes the VFs and binds them, and QEMU's failure gives all back, count included") {
    SimHost host("vfs-start", sim_dl360_with_82599, kTwoVfs);
    auto check = run_vmrun(host.env, {"check", host.profile});
    INFO(check.out << check.err);
    CHECK(has(check.out, "PASS  sriov      0000:3b:00.0 has no virtual functions: start creates 3 (sriov_numvfs, given back at the "
                         "end) and binds vf 0 = 0000:3b:10.0, vf 2 = 0000:3b:10.4"));
    auto dry = run_vmrun(host.env, {"dry-run", host.profile});
    CHECK(has(dry.out, "vfio-pci,host=0000:3b:10.0,id=vf-a,bus=rp1,addr=0x0"));
    CHECK(has(dry.out, "vfio-pci,host=0000:3b:10.4,id=vf-c,bus=rp2,addr=0x0"));

    auto r = run_vmrun(host.env, {"start", "--foreground", host.profile});
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    host.kernel->sync();
    CHECK(vmrun::read_first_line(fs::path(host.root()) / "sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs") == "0");
    CHECK_FALSE(fs::exists(host.root() + "/sys/bus/pci/devices/0000:3b:10.0"));
    CHECK_FALSE(fs::exists(host.journal()));
    // The order the kernel saw: the VFs made, the two asked for bound (never the one between), the count back.
    std::vector<std::string> seen;
    for (const auto& w : host.kernel->writes())
        if (has(w.file, "sriov_numvfs") || (has(w.file, "driver_override") && w.value == "vfio-pci")) seen.push_back(w.file + "=" + w.value);
    CHECK(seen == std::vector<std::string>{"sys/devices/pci0000:00/0000:3b:00.0/sriov_numvfs=3",
                                           "sys/devices/pci0000:00/0000:3b:10.0/driver_override=vfio-pci",
                                           "sys/devices/pci0000:00/0000:3b:10.4/driver_override=vfio-pci",
                                           "sys/devices/pci0000:00/0000:3b:00.0/sriov_numvfs=0"});
}

TEST_CASE("SR-IOV: vmrun bind makes the VFs, vmrun iommu shows them under their PF, restore gives the count back") {
    SimHost host("vfs-bind", sim_dl360_with_82599, kTwoVfs);
    auto r = run_vmrun(host.env, {"bind", host.profile});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(host.driver("0000:3b:10.0") == "vfio-pci");
    CHECK(host.driver("0000:3b:10.2") == "ixgbevf");
    CHECK(host.driver("0000:3b:10.4") == "vfio-pci");
    auto iommu = run_vmrun(host.env, {"iommu", "--sysroot", host.root() + "/"});
    INFO(iommu.out);
    CHECK(has(iommu.out, "0000:3b:00.0  8086:10fb  Ethernet      ixgbe           SR-IOV PF: 3 of 63 VFs"));
    CHECK(has(iommu.out, "0000:3b:10.4  8086:10ed  Ethernet      vfio-pci        VF 2 of 0000:3b:00.0"));
    auto json = nlohmann::json::parse(run_vmrun(host.env, {"iommu", "--json", "--sysroot", host.root() + "/"}).out);
    int vfs = 0;
    for (const auto& g : json)
        for (const auto& d : g["devices"])
            if (d.contains("sriov") && d["sriov"].contains("pf")) {
                ++vfs;
                CHECK(d["sriov"]["pf"] == "0000:3b:00.0");
            }
    CHECK(vfs == 3);

    auto back = run_vmrun(host.env, {"restore", "vfs-bind"});
    INFO(back.err);
    CHECK(back.exit_code == 0);
    CHECK(has(back.err, "0000:3b:00.0 back to 0 virtual functions"));
    host.kernel->sync();
    CHECK(vmrun::read_first_line(fs::path(host.root()) / "sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs") == "0");
}

TEST_CASE("SR-IOV: a PF with too few VFs, not 0, is refused with the fix and nothing written") {
    SimHost host("vfs-short", sim_dl360_with_82599, kTwoVfs);
    write_file(host.root() + "/sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs", "1\n");
    host.kernel->sync();
    REQUIRE(fs::exists(host.root() + "/sys/bus/pci/devices/0000:3b:10.0"));
    auto before = host.kernel->writes().size();
    auto r = run_vmrun(host.env, {"start", "--foreground", host.profile});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "0000:3b:00.0 has 1 virtual functions and line 16 asks for vf 2; the kernel changes a VF count only from 0"));
    CHECK(has(r.err, "echo 0 > /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs' (vmrun then creates 3), or use a vf below 1"));
    host.kernel->sync();
    CHECK(host.kernel->writes().size() == before);
    CHECK(vmrun::read_first_line(fs::path(host.root()) / "sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs") == "1");
}

TEST_CASE("SR-IOV: a NIC VF's vlan on a PF without a network interface is refused at its line and column, nothing written") {
    // The simulated 82599 has no net/ folder (no ixgbe here): the PF's driver would be the one to set it.
    SimHost host("vfs-netless", sim_dl360_with_82599, "passthrough:\n  - {pf: 3b:00.0, vf: 0, id: vf-a, vlan: 10}\n");
    auto before = host.kernel->writes().size();
    auto r = run_vmrun(host.env, {"start", "--foreground", host.profile});
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK(has(r.err, host.profile + ":15:42: error: 0000:3b:00.0 has no network interface on this host (no net/ in its sysfs folder)"));
    host.kernel->sync();
    CHECK(host.kernel->writes().size() == before);
    CHECK(vmrun::read_first_line(fs::path(host.root()) / "sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs") == "0");
    CHECK_FALSE(fs::exists(host.journal()));
}

TEST_CASE("SR-IOV: hotplug --pci of two VFs that share a host slot is refused: each VF takes its own port") {
    SimHost host("vfs-hotplug", sim_dl360_with_82599, kTwoVfs);
    write_file(host.root() + "/sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs", "2\n");
    host.kernel->sync();
    REQUIRE(fs::exists(host.root() + "/sys/bus/pci/devices/0000:3b:10.2"));
    auto before = host.kernel->writes().size();
    auto r = run_vmrun(host.env, {"hotplug", "vfs-hotplug", "--pci", "3b:10.0,3b:10.2"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 64);  // a usage error, EX_USAGE
    CHECK(has(r.err, "--pci: 0000:3b:10.0 is an SR-IOV virtual function: each VF is a device of its own, in its own root port; "
                     "hotplug one VF per call (--pci 0000:3b:10.0)"));
    host.kernel->sync();
    CHECK(host.kernel->writes().size() == before);
}
