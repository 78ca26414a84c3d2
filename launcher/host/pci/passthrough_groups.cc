#include "host/pci/passthrough_groups.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace vmrun {

GroupExpansion expand_iommu_groups(const std::vector<PciAddress>& listed, const std::vector<PciFunction>& host) {
    GroupExpansion out;
    auto find = [&](const PciAddress& a) -> const PciFunction* {
        for (const auto& f : host)
            if (f.address == a) return &f;
        return nullptr;
    };
    std::set<PciAddress> wanted(listed.begin(), listed.end());
    std::set<int> seen_groups;
    for (const auto& a : listed) {
        const PciFunction* f = find(a);
        if (!f) {
            out.problems.push_back({"host has no PCI device " + a.str(), "correct the address ('lspci -D' or 'vmrun iommu' lists them)", a.str()});
            continue;
        }
        if (!f->iommu_group) {
            out.problems.push_back({a.str() + " is in no IOMMU group: the IOMMU is off",
                                    "enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on (Intel) or amd_iommu=on (AMD)", a.str()});
            continue;
        }
        if (f->is_bridge()) {
            out.problems.push_back({a.str() + " is a PCI bridge", "pass the devices behind it instead", a.str()});
            continue;
        }
        if (!seen_groups.insert(*f->iommu_group).second) continue;
        GroupPlan g;
        g.group = *f->iommu_group;
        for (const auto& m : host) {
            if (m.iommu_group != f->iommu_group) continue;
            if (m.is_bridge()) g.bridges.push_back(m);
            else if (wanted.count(m.address)) g.to_bind.push_back(m);
            else
                out.problems.push_back(
                    {"IOMMU group " + std::to_string(g.group) + " of " + a.str() + " also holds " + m.address.str() + " [" + m.ids() +
                         "] (driver " + (m.driver.empty() ? "none" : m.driver) + ")",
                     "a group passes whole: add '- host: " + m.address.str() + "' to passthrough", a.str()});
        }
        out.groups.push_back(g);
    }
    return out;
}

}  // namespace vmrun
