#include "sim_sysfs.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

namespace fs = std::filesystem;

namespace vmrun::testing {

std::string function_dir(const std::string& root, const std::string& address) {
    return (fs::path(root) / "sys/devices/pci0000:00" / address).string();
}

void add_driver(const std::string& root, const std::string& name) {
    fs::path d = fs::path(root) / "sys/bus/pci/drivers" / name;
    fs::create_directories(d);
    for (const char* f : {"bind", "unbind", "new_id"})
        if (!fs::exists(d / f)) std::ofstream(d / f) << "";
    // A modular driver links its module; the port driver is built in, as on Debian.
    static const std::map<std::string, std::string> modules = {
        {"vfio-pci", "vfio_pci"}, {"nvidia", "nvidia"}, {"snd_hda_intel", "snd_hda_intel"}, {"xhci_hcd", "xhci_pci"},
        {"nvidia-gpu", "i2c_nvidia_gpu"}, {"nvme", "nvme"}, {"nouveau", "nouveau"}, {"ohci-pci", "ohci_pci"},
        {"ehci-pci", "ehci_pci"}, {"i915", "i915"}, {"e1000e", "e1000e"}};
    if (auto m = modules.find(name); m != modules.end() && !fs::is_symlink(d / "module"))
        fs::create_symlink(fs::path("../../../../module") / m->second, d / "module");
    if (!fs::exists(fs::path(root) / "sys/bus/pci/drivers_probe")) std::ofstream(fs::path(root) / "sys/bus/pci/drivers_probe") << "";
}

void add_function(const std::string& root, const SimFunction& f) {
    fs::path dev = function_dir(root, f.address);
    fs::create_directories(dev);
    fs::create_directories(fs::path(root) / "sys/bus/pci/devices");
    fs::create_symlink(fs::path("../../../devices/pci0000:00") / f.address, fs::path(root) / "sys/bus/pci/devices" / f.address);
    std::ofstream(dev / "vendor") << f.vendor << "\n";
    std::ofstream(dev / "device") << f.device << "\n";
    std::ofstream(dev / "class") << f.class_code << "\n";
    std::ofstream(dev / "driver_override") << "(null)\n";
    if (f.boot_vga >= 0) std::ofstream(dev / "boot_vga") << f.boot_vga << "\n";
    add_driver(root, "vfio-pci");
    if (*f.driver) {
        add_driver(root, f.driver);
        fs::create_symlink(fs::path("../../../bus/pci/drivers") / f.driver, dev / "driver");
    }
    if (f.group >= 0) {
        fs::path g = fs::path(root) / "sys/kernel/iommu_groups" / std::to_string(f.group) / "devices";
        fs::create_directories(g);
        fs::create_symlink(fs::path("../../../kernel/iommu_groups") / std::to_string(f.group), dev / "iommu_group");
        fs::create_symlink(fs::path("../../../../devices/pci0000:00") / f.address, g / f.address);
    }
}

void add_sriov(const std::string& root, const SimSriov& s) {
    fs::path dev = function_dir(root, s.pf);
    std::ofstream(dev / "sriov_totalvfs") << s.total_vfs << "\n";
    std::ofstream(dev / "sriov_numvfs") << "0\n";
    std::ofstream(dev / "sriov_offset") << s.offset << "\n";
    std::ofstream(dev / "sriov_stride") << s.stride << "\n";
    std::ofstream(dev / "sriov_vf_device") << s.vf_device << "\n";
    // What the simulated kernel needs to make the VFs; no real kernel has this file.
    std::ofstream(dev / ".sim-sriov") << (*s.vf_driver ? s.vf_driver : "-") << " " << s.first_vf_group << "\n";
    if (*s.vf_driver) add_driver(root, s.vf_driver);
}

void add_hugepage_pool(const std::string& root, uint64_t page_kib, uint64_t total, uint64_t free) {
    fs::path r(root);
    auto dir = r / "sys/kernel/mm/hugepages" / ("hugepages-" + std::to_string(page_kib) + "kB");
    fs::create_directories(dir);
    std::ofstream(dir / "nr_hugepages") << total << "\n";
    std::ofstream(dir / "free_hugepages") << free << "\n";
    std::ofstream(dir / "resv_hugepages") << "0\n";
    std::ofstream(dir / "surplus_hugepages") << "0\n";
    fs::create_directories(r / "proc/sys/vm");
    std::ofstream(r / "proc/sys/vm/compact_memory") << "";
    std::ofstream(r / "proc/meminfo", std::ios::app) << "MemAvailable:    4194304 kB\n";
}

void add_host_basics(const std::string& root, const SimHostBasics& b) {
    fs::path r(root);
    fs::create_directories(r / "proc");
    fs::create_directories(r / "dev/net");
    std::ofstream(r / "proc/cpuinfo") << "processor\t: 0\nvendor_id\t: " << (b.intel ? "GenuineIntel" : "AuthenticAMD")
                                      << "\nflags\t\t: fpu vme pae " << (b.intel ? "vmx" : "svm") << " sse2\n\n";
    std::ofstream(r / "proc/cmdline") << "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 ro quiet"
                                      << (b.iommu_on && b.intel ? " intel_iommu=on" : "") << (b.iommu_on ? " iommu=pt" : "") << "\n";
    std::ofstream(r / "proc/interrupts") << "           CPU0\n 24:   1234  " << (b.interrupt_remapping ? "IR-PCI-MSI" : "PCI-MSI")
                                         << " 327680-edge  xhci_hcd\n";
    std::ofstream(r / "proc/meminfo") << "MemTotal:       32768000 kB\nHugePages_Free:        0\nHugepagesize:       2048 kB\n";
    for (const char* m : {"kvm", "kvm_intel"}) fs::create_directories(r / "sys/module" / m);
    if (b.vfio_loaded)
        for (const char* m : {"vfio", "vfio_iommu_type1", "vfio_pci"}) fs::create_directories(r / "sys/module" / m);
    else
        fs::remove_all(r / "sys/bus/pci/drivers/vfio-pci");
    if (b.iommu_on) fs::create_directories(r / "sys/class/iommu" / (b.intel ? "dmar0" : "ivhd0"));
    else {
        fs::remove_all(r / "sys/kernel/iommu_groups");
        std::error_code ec;
        for (const auto& d : fs::directory_iterator(r / "sys/devices/pci0000:00", ec)) fs::remove(d.path() / "iommu_group");
    }
    if (b.kvm) std::ofstream(r / "dev/kvm") << "";
    std::ofstream(r / "dev/net/tun") << "";
}

namespace {

// A block device's folder as the kernel makes it: dev (unless empty), a
// subsystem link to class/block, and class/block/NAME pointing back.
void add_block(const std::string& root, const fs::path& dir, const std::string& dev, bool partition = false) {
    fs::path r(root);
    fs::create_directories(dir / "holders");
    fs::create_directories(r / "sys/class/block");
    if (!dev.empty()) std::ofstream(dir / "dev") << dev << "\n";
    if (partition) std::ofstream(dir / "partition") << "2\n";
    else fs::create_directories(dir / "queue");
    fs::create_symlink(fs::relative(r / "sys/class/block", dir), dir / "subsystem");
    fs::create_symlink(fs::relative(dir, r / "sys/class/block"), r / "sys/class/block" / dir.filename());
}

std::string nvme_dev(int index, int n) { return "259:" + std::to_string(index * 16 + n); }

// nvmeX/nvmeXn1 below ADDR; returns the disk's folder.
fs::path add_nvme_disk(const std::string& root, const std::string& address, int index) {
    auto n = "nvme" + std::to_string(index);
    fs::path disk = fs::path(function_dir(root, address)) / "nvme" / n / (n + "n1");
    add_block(root, disk, nvme_dev(index, 0));
    return disk;
}

void add_mountinfo(const fs::path& file, const std::string& dev, const std::string& mountpoint, const std::string& source) {
    fs::create_directories(file.parent_path());
    static int id = 100;
    std::ofstream(file, std::ios::app) << ++id << " 1 " << dev << " / " << mountpoint << " rw,relatime shared:1 - ext4 "
                                       << source << " rw\n";
}

void add_swap(const std::string& root, const std::string& name) {
    fs::path swaps = fs::path(root) / "proc/swaps";
    fs::create_directories(swaps.parent_path());
    if (!fs::exists(swaps)) std::ofstream(swaps) << "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    std::ofstream(swaps, std::ios::app) << name << "                            partition\t8388604\t\t0\t\t-2\n";
}

// HOLDER (a folder under sys/devices/virtual/block) stacked on LOWER.
void add_holder(const std::string& root, const fs::path& lower, const fs::path& holder) {
    fs::create_symlink(fs::relative(holder, lower / "holders"), lower / "holders" / holder.filename());
    fs::create_directories(holder / "slaves");
    fs::create_symlink(fs::relative(lower, holder / "slaves"), holder / "slaves" / lower.filename());
    (void)root;
}

}  // namespace

void add_mounted_nvme(const std::string& root, const std::string& address, int index, const std::string& mountpoint) {
    auto disk = add_nvme_disk(root, address, index);
    auto part = disk / (disk.filename().string() + "p2");
    add_block(root, part, nvme_dev(index, 2), true);
    add_mountinfo(fs::path(root) / "proc/self/mountinfo", nvme_dev(index, 2), mountpoint, "/dev/" + part.filename().string());
}

std::string add_multipath_nvme_swap(const std::string& root, const std::string& address, int index) {
    auto n = "nvme" + std::to_string(index);
    fs::path controller = fs::path(function_dir(root, address)) / "nvme" / n;
    add_block(root, controller / (n + "c0n1"), "");  // the path device: no node
    std::ofstream(controller / (n + "c0n1") / "hidden") << "1\n";
    fs::path subsystem = fs::path(root) / "sys/devices/virtual/nvme-subsystem" / ("nvme-subsys" + std::to_string(index));
    add_block(root, subsystem / (n + "n1"), nvme_dev(index, 0));
    fs::create_symlink(fs::relative(controller, subsystem), subsystem / n);
    fs::create_directories(fs::path(root) / "sys/class/nvme-subsystem");
    fs::create_symlink(fs::relative(subsystem, fs::path(root) / "sys/class/nvme-subsystem"),
                       fs::path(root) / "sys/class/nvme-subsystem" / subsystem.filename());
    add_swap(root, "/dev/" + n + "n1");
    return "/dev/" + n + "n1";
}

void add_lvm_mounted_nvme(const std::string& root, const std::string& address, int index, int dm, const std::string& mountpoint) {
    auto disk = add_nvme_disk(root, address, index);
    auto part = disk / (disk.filename().string() + "p2");
    add_block(root, part, nvme_dev(index, 2), true);
    fs::path volume = fs::path(root) / "sys/devices/virtual/block" / ("dm-" + std::to_string(dm));
    add_block(root, volume, "253:" + std::to_string(dm));
    fs::create_directories(volume / "dm");
    std::ofstream(volume / "dm/name") << "vg0-root\n";
    std::ofstream(volume / "dm/uuid") << "LVM-k3zv0ZPQyhTvbCcDqNRD7Wtz0zZ5Jd0iRcFj3DN8TZ4cjHdpJ0zyVNc2oCVxGC3w\n";
    add_holder(root, part, volume);
    add_mountinfo(fs::path(root) / "proc/self/mountinfo", "253:" + std::to_string(dm), mountpoint, "/dev/mapper/vg0-root");
}

void add_md_member_nvme(const std::string& root, const std::string& address, int index, const std::string& md) {
    auto disk = add_nvme_disk(root, address, index);
    fs::path array = fs::path(root) / "sys/devices/virtual/block" / md;
    if (!fs::exists(array)) {
        add_block(root, array, "9:127");
        fs::create_directories(array / "md");
        std::ofstream(array / "md/level") << "raid1\n";
    }
    add_holder(root, disk, array);
}

std::string add_plain_nvme(const std::string& root, const std::string& address, int index) {
    add_nvme_disk(root, address, index);
    return nvme_dev(index, 0);
}

void add_foreign_mount(const std::string& root, int pid, const std::string& comm, const std::string& name,
                       const std::string& dev, const std::string& mountpoint) {
    fs::path r(root);
    fs::create_directories(r / "proc/self/ns");
    if (!fs::is_symlink(r / "proc/self/ns/mnt")) fs::create_symlink("mnt:[4026531841]", r / "proc/self/ns/mnt");
    fs::path proc = r / "proc" / std::to_string(pid);
    fs::create_directories(proc / "ns");
    std::ofstream(proc / "comm") << comm << "\n";
    fs::create_symlink("mnt:[" + std::to_string(4026532000 + pid) + "]", proc / "ns/mnt");
    add_mountinfo(proc / "mountinfo", dev, mountpoint, "/dev/" + name);
}

void add_open_block(const std::string& root, int pid, const std::string& comm, const std::string& name) {
    fs::path proc = fs::path(root) / "proc" / std::to_string(pid);
    fs::create_directories(proc / "fd");
    std::ofstream(proc / "comm") << comm << "\n";
    fs::create_symlink("/dev/" + name, proc / "fd/3");
}

void add_udev_contents(const std::string& root, const std::string& dev, const std::string& fs_type, const std::string& label) {
    fs::path data = fs::path(root) / "run/udev/data";
    fs::create_directories(data);
    std::ofstream(data / ("b" + dev)) << "S:disk/by-id/nvme-SAMSUNG\nE:ID_FS_TYPE=" << fs_type << "\nE:ID_FS_LABEL=" << label << "\n";
}

void add_framebuffer_console(const std::string& root) {
    for (auto [vt, name, bind] : {std::tuple{"vtcon0", "(S) dummy device", "0"}, std::tuple{"vtcon1", "(M) frame buffer device", "1"}}) {
        fs::path d = fs::path(root) / "sys/class/vtconsole" / vt;
        fs::create_directories(d);
        std::ofstream(d / "name") << name << "\n";
        std::ofstream(d / "bind") << bind << "\n";
    }
}

void add_drm_holder(const std::string& root, const std::string& address, int card, int pid, const std::string& comm) {
    auto name = "card" + std::to_string(card);
    fs::create_directories(fs::path(function_dir(root, address)) / "drm" / name);
    std::ofstream(fs::path(function_dir(root, address)) / "drm" / name / "dev") << "226:" << card << "\n";
    fs::path proc = fs::path(root) / "proc" / std::to_string(pid);
    fs::create_directories(proc / "fd");
    std::ofstream(proc / "comm") << comm << "\n";
    fs::create_symlink("/dev/null", proc / "fd/0");
    fs::create_symlink("/dev/dri/" + name, proc / "fd/7");
}

void add_default_route_nic(const std::string& root, const std::string& address, const std::string& iface) {
    fs::create_directories(fs::path(function_dir(root, address)) / "net" / iface);
    fs::create_directories(fs::path(root) / "proc/net");
    std::ofstream(fs::path(root) / "proc/net/route")
        << "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        << iface << "\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        << iface << "\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
}

void sim_i9_9900k(const std::string& root) {
    for (const auto& f : {
             SimFunction{"0000:00:00.0", "0x8086", "0x3e30", "0x060000", "skl_uncore", 0, -1},
             SimFunction{"0000:00:01.0", "0x8086", "0x1901", "0x060400", "pcieport", 1, -1},
             SimFunction{"0000:00:02.0", "0x8086", "0x3e98", "0x030000", "i915", 2, 0},
             SimFunction{"0000:01:00.0", "0x10de", "0x1e07", "0x030000", "nvidia", 1, 1},
             SimFunction{"0000:01:00.1", "0x10de", "0x10f7", "0x040300", "snd_hda_intel", 1, -1},
             SimFunction{"0000:01:00.2", "0x10de", "0x1ad6", "0x0c0330", "xhci_hcd", 1, -1},
             SimFunction{"0000:01:00.3", "0x10de", "0x1ad7", "0x0c8000", "nvidia-gpu", 1, -1},
         })
        add_function(root, f);
}

void sim_dl360(const std::string& root) {
    for (const auto& f : {
             SimFunction{"0000:5d:00.0", "0x8086", "0x2030", "0x060400", "pcieport", 39, -1},
             SimFunction{"0000:5e:00.0", "0x144d", "0xa808", "0x010802", "nvme", 40, -1},
             SimFunction{"0000:5f:00.0", "0x144d", "0xa808", "0x010802", "nvme", 41, -1},
             SimFunction{"0000:60:00.0", "0x144d", "0xa808", "0x010802", "nvme", 42, -1},
             SimFunction{"0000:85:00.0", "0x8086", "0x2030", "0x060400", "pcieport", 78, -1},
             SimFunction{"0000:86:00.0", "0x10de", "0x1b39", "0x030200", "nvidia", 79, -1},
         })
        add_function(root, f);
}

void sim_amd_990fx(const std::string& root) {
    for (const auto& f : {
             SimFunction{"0000:00:02.0", "0x1002", "0x5a16", "0x060400", "pcieport", 13, -1},
             SimFunction{"0000:00:12.0", "0x1002", "0x4397", "0x0c0310", "ohci-pci", 5, -1},
             SimFunction{"0000:00:12.2", "0x1002", "0x4396", "0x0c0320", "ehci-pci", 5, -1},
             SimFunction{"0000:00:13.0", "0x1002", "0x4397", "0x0c0310", "ohci-pci", 6, -1},
             SimFunction{"0000:00:13.2", "0x1002", "0x4396", "0x0c0320", "ehci-pci", 6, -1},
             SimFunction{"0000:01:00.0", "0x10de", "0x1200", "0x030000", "nouveau", 14, 1},
             SimFunction{"0000:01:00.1", "0x10de", "0x0e0c", "0x040300", "snd_hda_intel", 14, -1},
         })
        add_function(root, f);
}

// profiles/win11-two-gpu.yaml's desktop: the host's display on a Radeon RX
// 6600 (the boot GPU), an RTX 3080 with Resizable BAR for the VM, each in an
// IOMMU group of its own behind its own root port.
void sim_ryzen_5900x(const std::string& root) {
    for (const auto& f : {
             SimFunction{"0000:00:01.1", "0x1022", "0x1483", "0x060400", "pcieport", 2, -1},
             SimFunction{"0000:00:03.1", "0x1022", "0x1483", "0x060400", "pcieport", 5, -1},
             SimFunction{"0000:0b:00.0", "0x10de", "0x2206", "0x030000", "nvidia", 20, 0},
             SimFunction{"0000:0b:00.1", "0x10de", "0x1aef", "0x040300", "snd_hda_intel", 20, -1},
             SimFunction{"0000:0c:00.0", "0x1002", "0x73ff", "0x030000", "amdgpu", 21, 1},
             SimFunction{"0000:0c:00.1", "0x1002", "0xab28", "0x040300", "snd_hda_intel", 21, -1},
         })
        add_function(root, f);
    std::ofstream(function_dir(root, "0000:0b:00.0") + "/resource")
        << "0x00000000fb000000 0x00000000fbffffff 0x0000000000040200\n"
           "0x0000007800000000 0x0000007bffffffff 0x000000000014220c\n"
           "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
           "0x0000007c00000000 0x0000007c01ffffff 0x000000000014220c\n";
}

}  // namespace vmrun::testing
