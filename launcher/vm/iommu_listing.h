#pragma once
// vmrun iommu's facts: every IOMMU group of the host at `sysroot` with its
// functions, and whether it passes whole (all its endpoints one device).

#include <string>
#include <vector>

#include "host/pci/pci_sysfs.h"

namespace vmrun {

struct IommuMember {
    PciFunction function;
    std::string name;  // from pci.ids; "" when unknown
};

struct IommuGroupListing {
    int number = 0;
    bool passes_whole = false;  // handing it to a VM takes nothing else from the host
    std::string slot;           // the one device's slot when it passes whole
    std::vector<IommuMember> members;
};

// By group number; empty when the IOMMU is off.
std::vector<IommuGroupListing> list_iommu_groups(const std::string& sysroot);

}  // namespace vmrun
