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


// An SR-IOV count or offset: a PCIe routing id field, so under a million.
std::optional<unsigned> read_vf_count(const fs::path& file) {
    auto value = read_decimal(file);
    if (!value || *value >= 1000000) return std::nullopt;
    return unsigned(*value);
}

std::map<unsigned, PciAddress> virtfn_links(const fs::path& pf_dir) {
    std::map<unsigned, PciAddress> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(pf_dir, ec)) {
        auto name = e.path().filename().string();
        if (name.rfind("virtfn", 0) != 0 || name.size() == 6 || name.find_first_not_of("0123456789", 6) != std::string::npos) continue;
        if (auto a = parse_pci_address(symlink_name(e.path()))) out[unsigned(std::stoul(name.substr(6)))] = *a;
    }
    return out;
}

}  // namespace

std::string PciFunction::ids() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04x:%04x", vendor, device);
    return buf;
}

fs::path pci_device_dir(const std::string& sysroot, const PciAddress& address) {
    return fs::path(sysroot) / "sys/bus/pci/devices" / address.str();
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
        if (auto sriov = read_sriov(sysroot, *addr)) {
            f.vfs_total = sriov->total_vfs;
            f.vfs_now = sriov->num_vfs;
        }
        if (auto origin = virtual_function_origin(sysroot, *addr)) {
            f.physfn = origin->pf;
            f.vf_index = origin->index;
        }
        out.push_back(f);
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.address < b.address; });
    return out;
}

std::optional<SriovFacts> read_sriov(const std::string& sysroot, const PciAddress& pf) {
    auto dir = pci_device_dir(sysroot, pf);
    auto total = read_vf_count(dir / "sriov_totalvfs");
    if (!total) return std::nullopt;
    SriovFacts f;
    f.total_vfs = *total;
    f.num_vfs = read_vf_count(dir / "sriov_numvfs").value_or(0);
    f.offset = read_vf_count(dir / "sriov_offset").value_or(0);
    f.stride = read_vf_count(dir / "sriov_stride").value_or(0);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / "net", ec)) {
        f.netdev = e.path().filename().string();
        break;
    }
    return f;
}

bool is_virtual_function(const std::string& sysroot, const PciAddress& address) {
    std::error_code ec;
    return fs::is_symlink(pci_device_dir(sysroot, address) / "physfn", ec);
}

std::optional<VfOrigin> virtual_function_origin(const std::string& sysroot, const PciAddress& address) {
    auto pf = parse_pci_address(symlink_name(pci_device_dir(sysroot, address) / "physfn"));
    if (!pf) return std::nullopt;
    for (const auto& [index, vf] : virtfn_links(pci_device_dir(sysroot, *pf)))
        if (vf == address) return VfOrigin{*pf, index};
    return std::nullopt;
}

std::map<unsigned, PciAddress> virtual_functions_of(const std::string& sysroot, const PciAddress& pf) {
    return virtfn_links(pci_device_dir(sysroot, pf));
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
