// vmrun host-config PROFILE [--distro ID]: print the persistent early-binding
// set-up for a profile's passthrough devices. Prints; never edits.

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/diagnostics_json.h"
#include "vm/host_config_report.h"
#include "vm/load_plan.h"
#include "vm/print_problems.h"

namespace vmrun::cli {

namespace {

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
            {"vga_kept_for", c.vga_kept},
            {"sysfb_off_for", c.sysfb_off_for},
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

    auto report = host_config_for(plan, root, distro);
    if (!report.problems.empty()) {
        print_problems(report.problems);
        return kExitFailure;
    }
    if (report.unknown_distro) std::cerr << "vmrun: unknown distribution '" << distro << "'; printing every initramfs generator\n";
    std::cout << (json ? host_config_json(profile, *report.config).dump(2) + "\n" : render_host_config(*report.config));
    return kExitOk;
}

}  // namespace vmrun::cli
