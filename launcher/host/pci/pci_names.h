#pragma once
// Vendor and device names from pci.ids (Debian's pci.ids package), when installed.

#include <cstdint>
#include <string>

namespace vmrun {

// "NVIDIA Corporation TU102 [GeForce RTX 2080 Ti]", or "" when unknown.
std::string pci_name(uint16_t vendor, uint16_t device);

}  // namespace vmrun
