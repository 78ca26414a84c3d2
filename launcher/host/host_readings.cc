#include "host/cpu/cpu_affinity.h"
#include "host/host_readings.h"

#include "host/run_command.h"

#include <unistd.h>

#include <boost/process.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "host/sysfs_io.h"

namespace fs = std::filesystem;
namespace bp = boost::process;

namespace vmrun {

namespace {

std::optional<std::string> qemu_version(const std::string& binary) {
    std::error_code ec;
    auto exe = find_program(binary);
    if (exe.empty()) return std::nullopt;
    bp::ipstream out;
    bp::child c(bp::exe = exe, bp::args = {"--version"}, bp::std_out > out, bp::std_err > bp::null, bp::std_in < bp::null, ec);
    if (ec) return std::nullopt;
    std::string line, all;
    while (std::getline(out, line)) all += line + "\n";
    c.wait(ec);
    std::smatch m;
    if (std::regex_search(all, m, std::regex(R"(version (\d+\.\d+(\.\d+)?))"))) return m[1].str();
    return std::nullopt;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void read_cpuinfo(const fs::path& root, std::string& vendor, std::set<std::string>& flags) {
    parse_cpuinfo(read_text(root / "proc/cpuinfo"), vendor, flags);
}

std::vector<std::string> read_iommu_units(const fs::path& root) {
    std::vector<std::string> units;
    std::error_code ec;
    for (const auto& u : fs::directory_iterator(root / "sys/class/iommu", ec)) units.push_back(u.path().filename());
    std::sort(units.begin(), units.end());
    return units;
}

}  // namespace

void parse_cpuinfo(std::string_view cpuinfo, std::string& vendor, std::set<std::string>& flags) {
    std::istringstream text{std::string(cpuinfo)};
    std::string line;
    while (std::getline(text, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        auto key = line.substr(0, line.find_first_of(" \t"));
        auto value = line.substr(colon + 1);
        auto first = value.find_first_not_of(' ');
        value = first == std::string::npos ? "" : value.substr(first);
        if (key == "vendor_id" && vendor.empty()) vendor = value;
        if (key == "flags" && flags.empty()) {
            std::istringstream in(value);
            for (std::string f; in >> f;) flags.insert(f);
        }
        if (line.empty() && !vendor.empty()) break;  // the first CPU is enough
    }
}

bool parse_interrupt_remapping(std::string_view interrupts) {
    return interrupts.find("IR-PCI-MSI") != std::string_view::npos || interrupts.find("IR-IO-APIC") != std::string_view::npos;
}

IommuKind iommu_kind(const std::vector<std::string>& units, const std::string& cpu_vendor, const std::set<std::string>& cpu_flags) {
    bool dmar = false, ivhd = false;
    for (const auto& u : units) {
        dmar |= u.rfind("dmar", 0) == 0;
        ivhd |= u.rfind("ivhd", 0) == 0;
    }
    bool intel = dmar || (!ivhd && (cpu_vendor == "GenuineIntel" || cpu_flags.count("vmx")));
    return intel ? IommuKind::intel : IommuKind::amd;
}

IommuKind read_iommu_kind(const std::string& sysroot) {
    std::string vendor;
    std::set<std::string> flags;
    read_cpuinfo(sysroot, vendor, flags);
    return iommu_kind(read_iommu_units(sysroot), vendor, flags);
}

std::string cpu_vendor(const std::string& sysroot) {
    std::string vendor;
    std::set<std::string> flags;
    read_cpuinfo(sysroot, vendor, flags);
    return vendor;
}

HostReadings read_host(const std::string& sysroot, const std::string& qemu_binary, const std::vector<std::string>& files,
                       const std::vector<std::string>& bridges) {
    HostReadings r;
    fs::path root(sysroot);
    std::error_code ec;
    r.online_cpus = online_cpus(sysroot);

    read_cpuinfo(root, r.cpu_vendor, r.cpu_flags);
    r.kvm_usable = ::access((root / "dev/kvm").c_str(), R_OK | W_OK) == 0;
    for (const auto& g : fs::directory_iterator(root / "sys/kernel/iommu_groups", ec)) (void)g, ++r.iommu_groups;
    r.iommu_units = read_iommu_units(root);
    r.cmdline = read_first_line(root / "proc/cmdline");
    r.interrupt_remapping = parse_interrupt_remapping(read_text(root / "proc/interrupts"));
    for (const auto& m : fs::directory_iterator(root / "sys/module", ec)) r.modules.insert(m.path().filename());
    r.vfio_pci_driver = fs::exists(root / "sys/bus/pci/drivers/vfio-pci", ec);
    r.qemu_version = qemu_version(qemu_binary);
    for (const auto& f : files) r.files[f] = fs::exists(f, ec);
    r.tun = fs::exists(root / "dev/net/tun", ec);
    r.vhost_net = ::access((root / "dev/vhost-net").c_str(), R_OK | W_OK) == 0;
    for (uint64_t kib : {uint64_t(2048), uint64_t(1048576)})
        if (auto pool = read_hugepage_pool(root, kib)) r.hugepage_pools[kib] = *pool;
    for (const auto& b : bridges) r.bridges[b] = fs::exists(root / "sys/class/net" / b / "bridge", ec);
    return r;
}

}  // namespace vmrun
