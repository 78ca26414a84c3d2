#pragma once
// Simulated sysfs trees of the seeds' hosts, laid out as the kernel does:
// sys/bus/pci/devices/ADDR/{vendor,device,class,driver_override,boot_vga},
// driver -> ../../../bus/pci/drivers/NAME, iommu_group -> kernel/iommu_groups/N,
// sys/kernel/iommu_groups/N/devices/ADDR.

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

// i9-9900K desktop: RTX 2080 Ti (VGA, audio, USB, UCSI) in group 1 with root port 00:01.0.
void sim_i9_9900k(const std::string& root);
// HP DL360: three identical Samsung NVMe (144d:a808), each alone; Tesla P10 in group 79.
void sim_dl360(const std::string& root);
// AMD 990FX: GTX 560 Ti + audio in group 14; OHCI+EHCI pairs 00:12.x and 00:13.x share groups.
void sim_amd_990fx(const std::string& root);

}  // namespace vmrun::testing
