// 'vmrun host-config' text for the seeds' hosts: ids, softdeps, built-in
// drivers, the id-collision warning, and the initramfs generator per distro.

#include <doctest/doctest.h>

#include <filesystem>

#include "text_has.h"
#include "host/host_config.h"
#include "host/host_readings.h"
#include "sim_sysfs.h"
#include "host/sysfs_io.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;

namespace {

HostConfigInput input_for(const std::string& root, std::initializer_list<const char*> listed) {
    HostConfigInput in;
    in.host = read_pci_functions(root);
    std::vector<PciAddress> addrs;
    for (auto a : listed) addrs.push_back(*parse_pci_address(a));
    in.groups = expand_iommu_groups(addrs, in.host);
    for (const auto& g : in.groups.groups)
        for (const auto& f : g.to_bind)
            in.modules[f.driver] = symlink_name(std::filesystem::path(root) / "sys/bus/pci/drivers" / f.driver / "module");
    return in;
}


}  // namespace

TEST_CASE("host-config: the 2080 Ti's four ids, a softdep per module, initramfs-tools on Debian") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    auto in = input_for(root.path.string(), {"01:00.0", "01:00.1", "01:00.2", "01:00.3"});
    in.tools = initramfs_tools_for({"debian"});
    auto text = render_host_config(in);
    CHECK(has(text, "\nintel_iommu=on iommu=pt initcall_blacklist=sysfb_init\n"));
    CHECK(has(text, "options vfio-pci ids=10de:1e07,10de:10f7,10de:1ad6,10de:1ad7\n"));
    CHECK(has(text, "softdep nvidia pre: vfio-pci\n"));
    CHECK(has(text, "softdep snd_hda_intel pre: vfio-pci\n"));
    CHECK(has(text, "softdep xhci_pci pre: vfio-pci\n"));  // the module, not the driver's name xhci_hcd
    CHECK(has(text, "softdep i2c_nvidia_gpu pre: vfio-pci\n"));
    CHECK(has(text, "/etc/initramfs-tools/modules"));
    CHECK(has(text, "update-initramfs -u -k all"));
    CHECK_FALSE(has(text, "dracut"));
    CHECK_FALSE(has(text, "WARNING"));
}

TEST_CASE("host-config: disable_vga=1 for a passed GPU that is not the host's boot VGA, with the reason; none for the boot GPU") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    auto boot = render_host_config(input_for(root.path.string(), {"01:00.0", "01:00.1", "01:00.2", "01:00.3"}));
    CHECK_FALSE(has(boot, "disable_vga"));  // the 2080 Ti is the boot VGA on this host
    // ...bound at boot, so no driver would take the firmware framebuffer out of its BAR.
    CHECK(has(boot, "\nintel_iommu=on iommu=pt initcall_blacklist=sysfb_init\n"));
    CHECK(has(boot, "# initcall_blacklist=sysfb_init: 0000:01:00.0 is the boot GPU"));
    // The firmware set to boot from the iGPU: the 2080 Ti becomes a secondary GPU.
    write_file(root.path / "sys/bus/pci/devices/0000:01:00.0/boot_vga", "0\n");
    write_file(root.path / "sys/bus/pci/devices/0000:00:02.0/boot_vga", "1\n");
    auto second = render_host_config(input_for(root.path.string(), {"01:00.0", "01:00.1", "01:00.2", "01:00.3"}));
    CHECK(has(second, "options vfio-pci ids=10de:1e07,10de:10f7,10de:1ad6,10de:1ad7 disable_vga=1\n"));
    CHECK(has(second, "# disable_vga=1: 0000:01:00.0 is not the host's boot VGA"));
    CHECK_FALSE(has(second, "sysfb_init"));  // the host's console stays on the iGPU
    CHECK_FALSE(has(second, "x-vga=on"));  // no claim that x-vga works without the VGA region
    // A profile that gives the GPU x_vga (SeaBIOS) keeps vfio-pci's VGA region: QEMU refuses x-vga without it.
    auto in = input_for(root.path.string(), {"01:00.0", "01:00.1", "01:00.2", "01:00.3"});
    in.x_vga = {*parse_pci_address("01:00.0")};
    auto config = decide_host_config(in);
    CHECK(config.secondary_gpus.empty());
    CHECK(config.vga_kept == std::vector<std::string>{"0000:01:00.0"});
    auto kept = render_host_config(config);
    CHECK_FALSE(has(kept, "disable_vga=1\n"));
    CHECK(has(kept, "options vfio-pci ids=10de:1e07,10de:10f7,10de:1ad6,10de:1ad7\n"));
    CHECK(has(kept, "# no disable_vga=1: the profile gives a GPU x_vga"));
}

TEST_CASE("host-config and check agree on the IOMMU: the kernel's units decide, not the CPU's vendor") {
    TempDir root;
    sim_amd_990fx(root.path.string());
    // An AMD CPU under an Intel IOMMU (as in a VM with QEMU's intel-iommu).
    std::filesystem::remove_all(root.path / "sys/class/iommu");
    std::filesystem::create_directories(root.path / "sys/class/iommu/dmar0");
    CHECK(read_iommu_kind(root.path.string()) == IommuKind::intel);
    auto in = input_for(root.path.string(), {"01:00.0", "01:00.1"});
    in.intel = read_iommu_kind(root.path.string()) == IommuKind::intel;
    CHECK(has(render_host_config(in), "\nintel_iommu=on iommu=pt"));
    CHECK(iommu_kind({"ivhd0"}, "GenuineIntel", {"vmx"}) == IommuKind::amd);
    CHECK(iommu_kind({}, "GenuineIntel", {}) == IommuKind::intel);
    CHECK(iommu_kind({}, "AuthenticAMD", {"svm"}) == IommuKind::amd);
}

TEST_CASE("host-config: one of three identical NVMe drives warns that its id catches the other two and leaves it out") {
    TempDir root;
    sim_dl360(root.path.string());
    auto in = input_for(root.path.string(), {"5e:00.0", "86:00.0"});
    in.tools = initramfs_tools_for({"rocky", "rhel", "fedora"});
    auto text = render_host_config(in);
    CHECK(has(text, "# WARNING: id 144d:a808 of 0000:5e:00.0 also matches 0000:5f:00.0 (nvme), 0000:60:00.0 (nvme): at boot, "
                    "vfio-pci ids= would take those too."));
    CHECK(has(text, "binds 0000:5e:00.0 at run time by address"));
    CHECK(has(text, "options vfio-pci ids=10de:1b39\n"));
    CHECK_FALSE(has(text, "softdep nvme"));
    CHECK(has(text, "force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \""));
    CHECK(has(text, "dracut -f --regenerate-all"));
}

TEST_CASE("host-config: a built-in host driver needs vfio-pci.ids= on the command line; AMD needs no intel_iommu") {
    TempDir root;
    sim_amd_990fx(root.path.string());
    auto in = input_for(root.path.string(), {"01:00.0", "01:00.1"});
    in.intel = false;
    in.modules["snd_hda_intel"] = "";  // built in
    in.tools = initramfs_tools_for({"arch"});
    auto text = render_host_config(in);
    CHECK(has(text, "\niommu=pt vfio-pci.ids=10de:1200,10de:0e0c initcall_blacklist=sysfb_init\n"));
    CHECK(has(text, "# snd_hda_intel is built into the kernel"));
    CHECK(has(text, "softdep nouveau pre: vfio-pci"));
    CHECK(has(text, "MODULES=(vfio_pci vfio vfio_iommu_type1)"));
    CHECK(initramfs_tools_for({"plan9"}).empty());
}
