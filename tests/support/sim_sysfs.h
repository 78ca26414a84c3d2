#pragma once
// Simulated sysfs trees of the seeds' hosts, laid out as the kernel does:
// sys/devices/pci0000:00/ADDR/{vendor,device,class,driver_override,boot_vga},
// sys/bus/pci/devices/ADDR -> that folder, driver -> ../../../bus/pci/drivers/NAME,
// iommu_group -> ../../../kernel/iommu_groups/N, sys/kernel/iommu_groups/N/devices/ADDR,
// sys/bus/pci/drivers/NAME/{bind,unbind}, sys/bus/pci/drivers_probe.
// Static files only; SimKernel (sim_kernel.h) makes the writes take effect.

#include <cstdint>
#include <string>

namespace vmrun::testing {

struct SimFunction {
    const char* address;
    const char* vendor;
    const char* device;
    const char* class_code;
    const char* driver;  // "" = unbound
    int group;           // -1 = no IOMMU group
    int boot_vga;        // -1 = no boot_vga file
};

void add_function(const std::string& root, const SimFunction& f);
// A registered driver (its folder with bind/unbind); vfio-pci is one in every seed host.
void add_driver(const std::string& root, const std::string& name);
// The real folder of a function: sys/devices/pci0000:00/ADDR.
std::string function_dir(const std::string& root, const std::string& address);

// The rest of what 'vmrun check' reads: proc/cpuinfo, proc/cmdline,
// proc/interrupts, sys/module, sys/class/iommu, dev/kvm, dev/net/tun.
struct SimHostBasics {
    bool intel = true;
    bool iommu_on = true;            // dmar0/ivhd0 and intel_iommu=on on the command line
    bool interrupt_remapping = true;
    bool vfio_loaded = true;
    bool kvm = true;
};
void add_host_basics(const std::string& root, const SimHostBasics& b);

// An SR-IOV physical function (added with add_function first): its
// sriov_totalvfs, sriov_numvfs (0), sriov_offset and sriov_stride. SimKernel
// answers a write to sriov_numvfs as the PCI core does: from 0 it adds the
// VFs (device `vf_device`, the PF's vendor and class, IOMMU groups from
// `first_vf_group` up, probed by `vf_driver`, a physfn link, the PF's virtfnN
// links); to 0 it removes them; any other change it refuses (the count stays).
struct SimSriov {
    const char* pf;
    unsigned total_vfs, offset, stride;
    const char* vf_device;
    const char* vf_driver;  // "" = VFs stay unbound
    int first_vf_group;
};
void add_sriov(const std::string& root, const SimSriov& s);

// The kernel's huge page pool of one size (sys/kernel/mm/hugepages/hugepages-<kB>kB),
// with `total` pages of which `free` are free; proc/meminfo's MemAvailable and
// proc/sys/vm/compact_memory come with it. SimKernel answers writes to nr_hugepages.
void add_hugepage_pool(const std::string& root, uint64_t page_kib, uint64_t total, uint64_t free);

// Host uses that make vmrun refuse a device:
// Block devices are numbered 259:(index * 16 + n), device-mapper and md 253:N / 9:N;
// each gets its sys/class/block link and a subsystem link, as the kernel makes.
// a disk below ADDR (nvmeX/nvmeXn1 with partition p2) mounted at `mountpoint`.
void add_mounted_nvme(const std::string& root, const std::string& address, int index, const std::string& mountpoint);
// NVMe in the native multipath layout: the path device nvmeXc0n1 (no node)
// under ADDR's controller nvmeX, its namespace head nvmeXn1 under
// sys/devices/virtual/nvme-subsystem/nvme-subsysX (which links the
// controller), with swap on the head. Returns "/dev/nvmeXn1".
std::string add_multipath_nvme_swap(const std::string& root, const std::string& address, int index);
// nvmeXn1 below ADDR with partition p2, an LVM volume vg0-root (dm-N) on the
// partition, mounted at `mountpoint` through /dev/mapper/vg0-root.
void add_lvm_mounted_nvme(const std::string& root, const std::string& address, int index, int dm, const std::string& mountpoint);
// nvmeXn1 below ADDR, a member of the md RAID1 array `md` (not mounted).
void add_md_member_nvme(const std::string& root, const std::string& address, int index, const std::string& md);
// nvmeXn1 below ADDR that nothing in the tables uses. Returns its "MAJ:MIN".
std::string add_plain_nvme(const std::string& root, const std::string& address, int index);
// A process in another mount namespace that mounts /dev/NAME (MAJ:MIN) at `mountpoint`.
void add_foreign_mount(const std::string& root, int pid, const std::string& comm, const std::string& name,
                       const std::string& dev, const std::string& mountpoint);
// A process holding /dev/NAME open.
void add_open_block(const std::string& root, int pid, const std::string& comm, const std::string& name);
// udev's record of what a block device holds (run/udev/data/bMAJ:MIN).
void add_udev_contents(const std::string& root, const std::string& dev, const std::string& fs_type, const std::string& label);
// the host console on the boot GPU (vtcon1 bound to a frame buffer).
void add_framebuffer_console(const std::string& root);
// a process holding /dev/dri/cardN of ADDR open.
void add_drm_holder(const std::string& root, const std::string& address, int card, int pid, const std::string& comm);
// a NIC below ADDR that carries the default route.
void add_default_route_nic(const std::string& root, const std::string& address, const std::string& iface);

// i9-9900K desktop: RTX 2080 Ti (VGA, audio, USB, UCSI) in group 1 with root port 00:01.0.
void sim_i9_9900k(const std::string& root);
// HP DL360: three identical Samsung NVMe (144d:a808), each alone; Tesla P10 in group 79.
void sim_dl360(const std::string& root);
// AMD 990FX: GTX 560 Ti + audio in group 14; OHCI+EHCI pairs 00:12.x and 00:13.x share groups.
void sim_amd_990fx(const std::string& root);
void sim_ryzen_5900x(const std::string& root);

}  // namespace vmrun::testing
