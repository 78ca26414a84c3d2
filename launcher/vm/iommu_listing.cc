#include "vm/iommu_listing.h"

#include <map>

#include "host/pci/pci_names.h"

namespace vmrun {

std::vector<IommuGroupListing> list_iommu_groups(const std::string& sysroot) {
    std::map<int, IommuGroupListing> groups;
    for (auto& f : read_pci_functions(sysroot)) {
        if (!f.iommu_group) continue;
        auto& g = groups[*f.iommu_group];
        g.number = *f.iommu_group;
        auto name = pci_name(f.vendor, f.device);
        g.members.push_back({std::move(f), std::move(name)});
    }
    std::vector<IommuGroupListing> out;
    for (auto& [n, g] : groups) {
        bool one_device = true;
        for (const auto& m : g.members) {
            if (m.function.is_bridge()) continue;
            auto slot = m.function.address.slot_str();
            if (g.slot.empty()) g.slot = slot;
            else if (g.slot != slot) one_device = false;
        }
        g.passes_whole = one_device && !g.slot.empty();
        if (!g.passes_whole) g.slot.clear();
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace vmrun
