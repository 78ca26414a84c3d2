#pragma once
// What 'vmrun check' looks at, read once from the host through a sysroot
// (proc/cpuinfo, proc/cmdline, proc/interrupts, sys/kernel/iommu_groups,
// sys/class/iommu, sys/module, dev/...) plus 'qemu --version'. Plain data, so
// the verdicts (host_check.h) are pure and testable with any values.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "host/memory/hugepage_pool.h"

namespace vmrun {

struct HostReadings {
    std::string cpu_vendor;            // "GenuineIntel", "AuthenticAMD"
    std::set<std::string> cpu_flags;   // of the first CPU
    bool kvm_usable = false;           // dev/kvm opens read-write
    int iommu_groups = 0;
    std::vector<std::string> iommu_units;  // sys/class/iommu: dmar0, ivhd0, ...
    std::string cmdline;
    bool interrupt_remapping = false;  // IR-PCI-MSI / IR-IO-APIC in proc/interrupts
    std::set<std::string> modules;     // sys/module names (loaded or built in with parameters)
    bool vfio_pci_driver = false;      // sys/bus/pci/drivers/vfio-pci
    std::optional<std::string> qemu_version;  // "7.2.22"; nullopt = not runnable
    std::map<std::string, bool> files;  // path -> exists, for the files asked about
    bool tun = false, vhost_net = false;
    std::map<uint64_t, HugepagePool> hugepage_pools;  // by page size in KiB, the sizes this kernel has
    std::map<std::string, bool> bridges;  // name -> exists as a bridge
    std::optional<std::vector<int>> online_cpus;  // sys/devices/system/cpu/online
};

// Which IOMMU the host has. The kernel's own units decide (sys/class/iommu:
// dmar* is Intel VT-d, ivhd* AMD-Vi) — a CPU may say one vendor under the
// other's IOMMU in a VM; the CPU only when no IOMMU is on. 'vmrun check' and
// 'vmrun host-config' both ask this.
enum class IommuKind { intel, amd };
IommuKind iommu_kind(const std::vector<std::string>& units, const std::string& cpu_vendor, const std::set<std::string>& cpu_flags);
IommuKind read_iommu_kind(const std::string& sysroot);

// vendor_id of the first CPU in proc/cpuinfo: "GenuineIntel", "AuthenticAMD", "" if unreadable.
std::string cpu_vendor(const std::string& sysroot);

// The readers' parsers, on the files' text (the fuzz target's way in).
// vendor_id and flags of the first CPU in a proc/cpuinfo text.
void parse_cpuinfo(std::string_view cpuinfo, std::string& vendor, std::set<std::string>& flags);
// Whether a proc/interrupts text shows remapped interrupts.
bool parse_interrupt_remapping(std::string_view interrupts);

// `files` and `bridges`: the paths and bridge names to look up.
HostReadings read_host(const std::string& sysroot, const std::string& qemu_binary, const std::vector<std::string>& files,
                       const std::vector<std::string>& bridges);

}  // namespace vmrun
