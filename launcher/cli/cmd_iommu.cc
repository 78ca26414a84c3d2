// vmrun iommu [--json] [--sysroot DIR]: every IOMMU group with its devices.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "vm/load_plan.h"
#include "vm/iommu_listing.h"

namespace vmrun::cli {

namespace {

std::string class_name(uint32_t c) {
    switch (c >> 8) {
        case 0x0300: return "VGA";
        case 0x0302: return "3D controller";
        case 0x0403: return "audio";
        case 0x0108: return "NVMe";
        case 0x0106: return "SATA";
        case 0x0200: return "Ethernet";
        case 0x0c03: return "USB";
        case 0x0c80: return "serial bus";
        case 0x0604: return "PCI bridge";
        case 0x0600: return "host bridge";
        default: {
            char buf[16];
            std::snprintf(buf, sizeof buf, "class %04x", c >> 8);
            return buf;
        }
    }
}

}  // namespace

int run_iommu(const ParsedArgs& args) {
    bool json = args.flag("json");
    std::string sysroot = args.value_or("sysroot", probe_host_facts("iommu").sysroot);
    auto groups = list_iommu_groups(sysroot);
    if (groups.empty()) {
        std::cerr << "vmrun: no IOMMU groups under " << (std::filesystem::path(sysroot) / "sys/kernel/iommu_groups").string() << ": the IOMMU is off.\n"
                  << "  fix: enable VT-d / AMD-Vi in the firmware and boot with intel_iommu=on (Intel) or amd_iommu=on (AMD), "
                     "plus iommu=pt\n";
        return kExitFailure;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& group : groups) {
        const int n = group.number;
        nlohmann::json g = {{"group", n}, {"passes_whole", group.passes_whole}, {"devices", nlohmann::json::array()}};
        if (!json) std::cout << "IOMMU group " << n << (group.passes_whole ? "  (passes whole: one device, " + group.slot + ")" : "") << "\n";
        for (const auto& member : group.members) {
            const auto* m = &member.function;
            auto ids = m->ids();
            const auto& name = member.name;
            nlohmann::json dev = {{"address", m->address.str()}, {"ids", ids}, {"class", class_name(m->class_code)},
                                  {"driver", m->driver}, {"bridge", m->is_bridge()}, {"name", name},
                                  {"boot_vga", m->boot_vga ? nlohmann::json(*m->boot_vga) : nlohmann::json()}};
            // What a profile's pf/vf item refers to: the PF's counts, a VF's PF and index.
            std::string sriov;
            if (m->vfs_total) {
                dev["sriov"] = {{"vfs", *m->vfs_now}, {"total_vfs", *m->vfs_total}};
                sriov = "  SR-IOV PF: " + std::to_string(*m->vfs_now) + " of " + std::to_string(*m->vfs_total) + " VFs";
            }
            if (m->physfn) {
                dev["sriov"] = {{"pf", m->physfn->str()}, {"vf", m->vf_index}};
                sriov = "  VF " + std::to_string(m->vf_index) + " of " + m->physfn->str();
            }
            g["devices"].push_back(dev);
            if (json) continue;
            std::printf("  %s  %s  %-13s %-14s%s%s%s%s\n", m->address.str().c_str(), ids.c_str(), class_name(m->class_code).c_str(),
                        m->driver.empty() ? "(no driver)" : m->driver.c_str(), m->is_bridge() ? "  bridge" : "",
                        m->boot_vga && *m->boot_vga ? "  boot VGA" : "", sriov.c_str(), name.empty() ? "" : ("  " + name).c_str());
        }
        out.push_back(g);
    }
    if (json) std::cout << out.dump(2) << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
