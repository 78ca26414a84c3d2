// vmrun host-config PROFILE [--distro ID]: print the persistent early-binding
// set-up for a profile's passthrough devices. Prints; never edits.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "host/host_readings.h"
#include "base/exit_codes.h"
#include "host/host_config.h"
#include "cli/diagnostics_json.h"
#include "vm/load_plan.h"
#include "host/pci/passthrough_setup.h"
#include "host/pci/pci_sysfs.h"
#include "vm/print_problems.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun::cli {

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

// The schema profiles/README.md documents under "--json".
nlohmann::json host_config_json(const std::string& profile, const HostConfig& c) {
    auto functions = nlohmann::json::array();
    for (const auto& f : c.functions)
        functions.push_back({{"address", f.address}, {"ids", f.ids}, {"driver", f.driver.empty() ? nlohmann::json() : nlohmann::json(f.driver)}});
    auto initramfs = nlohmann::json::array();
    for (const auto& r : c.initramfs)
        initramfs.push_back({{"tool", r.tool}, {"file", r.file}, {"lines", r.lines}, {"regenerate", r.regenerate}});
    return {{"profile", profile},
            {"functions", functions},
            {"warnings", c.warnings},
            {"kernel_cmdline", c.kernel_cmdline},
            {"vfio_pci_ids", c.vfio_ids},
            {"disable_vga_for", c.secondary_gpus},
            {"softdeps", c.softdeps},
            {"builtin_drivers", c.builtin_drivers},
            {"modprobe_conf", {{"file", "/etc/modprobe.d/vfio.conf"}, {"lines", c.modprobe_lines}}},
            {"initramfs", initramfs}};
}

}  // namespace

int run_host_config(const ParsedArgs& args) {
    auto profile = args.positional("PROFILE");
    auto distro = args.value_or("distro", "");
    auto sysroot = args.value("sysroot");
    bool json = args.flag("json");
    auto loaded = load_plan(profile, !json);
    if (!loaded.plan) {
        if (json) std::cout << diagnostics_json(profile, loaded).dump(2) << "\n";
        return loaded.exit_code;
    }
    const auto& plan = *loaded.plan;
    std::string root = sysroot ? *sysroot : plan.facts.sysroot;
    if (plan.profile.passthrough.empty()) {
        if (json) std::cout << host_config_json(profile, {}).dump(2) << "\n";
        else std::cerr << "vmrun: " << profile << " lists no passthrough devices; no host configuration is needed\n";
        return kExitOk;
    }

    HostConfigInput in;
    in.host = read_pci_functions(root);
    in.groups = expand_iommu_groups(passthrough_addresses(plan.profile), in.host);
    if (!in.groups.problems.empty()) {
        print_problems(in.groups.problems);
        return kExitFailure;
    }
    for (const auto& g : in.groups.groups)
        for (const auto& f : g.to_bind)
            if (!f.driver.empty())
                in.modules[f.driver] = symlink_name(fs::path(root) / "sys/bus/pci/drivers" / f.driver / "module");
    in.intel = read_iommu_kind(root) == IommuKind::intel;
    auto ids = distro.empty() ? distro_ids(root) : std::vector<std::string>{distro};
    in.tools = initramfs_tools_for(ids);
    if (!distro.empty() && in.tools.empty()) {
        std::cerr << "vmrun: unknown distribution '" << distro << "'; printing every initramfs generator\n";
    }
    auto config = decide_host_config(in);
    std::cout << (json ? host_config_json(profile, config).dump(2) + "\n" : render_host_config(config));
    return kExitOk;
}

}  // namespace vmrun::cli
