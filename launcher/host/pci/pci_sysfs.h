#pragma once
// The host's PCI functions and IOMMU groups, read through a sysfs root
// ("/" on a host, a simulated tree in tests). Read-only; binding lives apart.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/pci_address.h"
#include "plan/host_facts.h"

namespace vmrun {

struct PciFunction {
    PciAddress address;
    uint16_t vendor = 0, device = 0;
    uint32_t class_code = 0;        // 0x030000 VGA, 0x040300 HD audio, 0x060400 PCI bridge, ...
    std::string driver;             // "" when unbound
    std::string driver_override;    // "" when none
    std::optional<int> iommu_group;
    std::optional<bool> boot_vga;   // only VGA-class devices have the file
    // SR-IOV: a physical function's VF counts (sriov_numvfs, sriov_totalvfs),
    // or a virtual function's PF (physfn) and index under it (virtfnN).
    std::optional<unsigned> vfs_now, vfs_total;
    std::optional<PciAddress> physfn;
    unsigned vf_index = 0;
    bool is_bridge() const { return (class_code >> 8) == 0x0604; }
    bool is_vga() const { return (class_code >> 8) == 0x0300; }
    std::string ids() const;        // "10de:1e07", as lspci -n and vfio-pci.ids= write it
};

// Every function under SYSROOT/sys/bus/pci/devices, sorted by address.
std::vector<PciFunction> read_pci_functions(const std::string& sysroot);

// sys/bus/pci/devices/ADDRESS below `sysroot`.
std::filesystem::path pci_device_dir(const std::string& sysroot, const PciAddress& address);

// SR-IOV, as sysfs shows it. A physical function's sriov_totalvfs,
// sriov_numvfs, sriov_offset, sriov_stride and interface (net/); nullopt when
// it is not an SR-IOV physical function (or not there).
std::optional<SriovFacts> read_sriov(const std::string& sysroot, const PciAddress& pf);
// The VFs the kernel shows under the PF now (virtfn0, virtfn1, ...), by index.
std::map<unsigned, PciAddress> virtual_functions_of(const std::string& sysroot, const PciAddress& pf);
// True when the function has a physfn link: it is some PF's virtual function.
bool is_virtual_function(const std::string& sysroot, const PciAddress& address);
// The PF of a VF (its physfn link), and the VF's index under it.
struct VfOrigin {
    PciAddress pf;
    unsigned index = 0;
};
std::optional<VfOrigin> virtual_function_origin(const std::string& sysroot, const PciAddress& address);

// Groups by number, from SYSROOT/sys/kernel/iommu_groups; empty when the
// IOMMU is off (no groups at all).
std::map<int, std::vector<PciAddress>> read_iommu_groups(const std::string& sysroot);

}  // namespace vmrun
