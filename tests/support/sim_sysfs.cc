#include "sim_sysfs.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace vmrun::testing {

void add_function(const std::string& root, const SimFunction& f) {
    fs::path dev = fs::path(root) / "sys/bus/pci/devices" / f.address;
    fs::create_directories(dev);
    std::ofstream(dev / "vendor") << f.vendor << "\n";
    std::ofstream(dev / "device") << f.device << "\n";
    std::ofstream(dev / "class") << f.class_code << "\n";
    std::ofstream(dev / "driver_override") << "(null)\n";
    if (f.boot_vga >= 0) std::ofstream(dev / "boot_vga") << f.boot_vga << "\n";
    if (*f.driver) {
        fs::create_directories(fs::path(root) / "sys/bus/pci/drivers" / f.driver);
        fs::create_symlink(fs::path("../../../bus/pci/drivers") / f.driver, dev / "driver");
    }
    if (f.group >= 0) {
        fs::path g = fs::path(root) / "sys/kernel/iommu_groups" / std::to_string(f.group) / "devices";
        fs::create_directories(g);
        fs::create_symlink(fs::path("../../../../kernel/iommu_groups") / std::to_string(f.group), dev / "iommu_group");
        fs::create_symlink(fs::path("../../../../bus/pci/devices") / f.address, g / f.address);
    }
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

}  // namespace vmrun::testing
