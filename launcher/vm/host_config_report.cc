#include "vm/host_config_report.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/host_readings.h"
#include "host/pci/passthrough_setup.h"
#include "host/pci/pci_sysfs.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

// os-release ID then ID_LIKE words: "ubuntu debian".
std::vector<std::string> distro_ids(const std::string& sysroot) {
    std::vector<std::string> out;
    std::ifstream in(fs::path(sysroot) / "etc/os-release");
    std::string line, like;
    while (std::getline(in, line)) {
        auto value = line.substr(line.find('=') + 1);
        if (!value.empty() && value.front() == '"') value = value.substr(1, value.size() - 2);
        if (line.rfind("ID=", 0) == 0) out.insert(out.begin(), value);
        if (line.rfind("ID_LIKE=", 0) == 0) like = value;
    }
    std::istringstream words(like);
    for (std::string w; words >> w;) out.push_back(w);
    return out;
}

}  // namespace

HostConfigReport host_config_for(const LaunchPlan& plan, const std::string& sysroot, const std::string& distro) {
    HostConfigReport report;
    HostConfigInput in;
    in.host = read_pci_functions(sysroot);
    in.groups = expand_iommu_groups(passthrough_addresses(plan.profile), in.host);
    if (!in.groups.problems.empty()) {
        report.problems = in.groups.problems;
        return report;
    }
    for (const auto& g : in.groups.groups)
        for (const auto& f : g.to_bind)
            if (!f.driver.empty())
                in.modules[f.driver] = symlink_name(fs::path(sysroot) / "sys/bus/pci/drivers" / f.driver / "module");
    in.intel = read_iommu_kind(sysroot) == IommuKind::intel;
    for (const auto& x : plan.profile.passthrough)
        if (x.x_vga && !x.vf) in.x_vga.push_back(x.host);
    auto ids = distro.empty() ? distro_ids(sysroot) : std::vector<std::string>{distro};
    in.tools = initramfs_tools_for(ids);
    report.unknown_distro = !distro.empty() && in.tools.empty();
    report.config = decide_host_config(in);
    return report;
}

}  // namespace vmrun
