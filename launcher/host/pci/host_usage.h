#pragma once
// What the host itself is using a PCI device for — the reasons vmrun refuses
// to take it away: the boot GPU carrying the console, the disk holding a
// mounted filesystem or swap, the NIC carrying the default route, a GPU whose
// /dev/dri or /dev/nvidia* nodes a process holds open. Taking such a device
// hangs the desktop, the host, or the SSH session that started vmrun.
// Read through a sysroot (sys/, proc/); changes nothing.

#include <string>
#include <vector>

#include "host/pci/pci_sysfs.h"

namespace vmrun {

struct HostUse {
    PciAddress address;
    std::string what;  // "0000:01:00.0 carries the host console (vtcon1: frame buffer device)"
    std::string fix;
};

std::vector<HostUse> find_host_uses(const std::string& sysroot, const PciFunction& function);

}  // namespace vmrun
