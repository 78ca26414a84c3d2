#include "host/pci/pci_sysfs.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

unsigned long hex_value(const std::string& s) {
    try {
        return std::stoul(s, nullptr, 16);
    } catch (...) {
        return 0;
    }
}

}  // namespace

std::string PciFunction::ids() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04x:%04x", vendor, device);
    return buf;
}

std::vector<PciFunction> read_pci_functions(const std::string& sysroot) {
    std::vector<PciFunction> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(sysroot) / "sys/bus/pci/devices", ec)) {
        auto addr = parse_pci_address(entry.path().filename().string());
        if (!addr) continue;
        PciFunction f;
        f.address = *addr;
        const auto& d = entry.path();
        f.vendor = uint16_t(hex_value(read_first_line(d / "vendor")));
        f.device = uint16_t(hex_value(read_first_line(d / "device")));
        f.class_code = uint32_t(hex_value(read_first_line(d / "class")));
        f.driver = symlink_name(d / "driver");
        auto over = read_first_line(d / "driver_override");
        if (over != "(null)" && !over.empty()) f.driver_override = over;
        auto group = symlink_name(d / "iommu_group");
        if (!group.empty()) f.iommu_group = std::atoi(group.c_str());
        if (fs::exists(d / "boot_vga", ec)) f.boot_vga = read_first_line(d / "boot_vga") == "1";
        if (auto total = read_first_line(d / "sriov_totalvfs"); !total.empty()) {
            f.vfs_total = unsigned(std::strtoul(total.c_str(), nullptr, 10));
            f.vfs_now = unsigned(std::strtoul(read_first_line(d / "sriov_numvfs").c_str(), nullptr, 10));
        }
        if (auto pf = parse_pci_address(symlink_name(d / "physfn"))) {
            f.physfn = *pf;
            for (const auto& link : fs::directory_iterator(fs::path(sysroot) / "sys/bus/pci/devices" / pf->str(), ec)) {
                auto name = link.path().filename().string();
                if (name.rfind("virtfn", 0) == 0 && symlink_name(link.path()) == addr->str())
                    f.vf_index = unsigned(std::strtoul(name.c_str() + 6, nullptr, 10));
            }
        }
        out.push_back(f);
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.address < b.address; });
    return out;
}

std::map<int, std::vector<PciAddress>> read_iommu_groups(const std::string& sysroot) {
    std::map<int, std::vector<PciAddress>> out;
    std::error_code ec;
    for (const auto& group : fs::directory_iterator(fs::path(sysroot) / "sys/kernel/iommu_groups", ec)) {
        int n = std::atoi(group.path().filename().c_str());
        auto& members = out[n];
        std::error_code ec2;
        for (const auto& dev : fs::directory_iterator(group.path() / "devices", ec2))
            if (auto a = parse_pci_address(dev.path().filename().string())) members.push_back(*a);
        std::sort(members.begin(), members.end());
    }
    return out;
}

}  // namespace vmrun
