#pragma once
// Which host functions a profile's passthrough list really takes: every
// member of each listed device's IOMMU group must go to vfio-pci, or QEMU
// stops with "group N is not viable". Pure: works on what pci_sysfs read.

#include <string>
#include <vector>

#include "base/failure.h"

#include "host/pci/pci_sysfs.h"

namespace vmrun {

struct GroupPlan {
    int group = -1;
    std::vector<PciFunction> to_bind;   // listed endpoints (and only those)
    std::vector<PciFunction> bridges;   // stay on their driver: bridges do not block a group
};

struct GroupExpansion {
    std::vector<GroupPlan> groups;
    std::vector<Failure> problems;  // where: the profile's device that brought the group in
};

// `listed`: the profile's passthrough addresses, in profile order.
GroupExpansion expand_iommu_groups(const std::vector<PciAddress>& listed, const std::vector<PciFunction>& host);

}  // namespace vmrun
