#pragma once
// Addresses written the way a profile writes them ("01:00.0"), for tests.

#include <initializer_list>
#include <vector>

#include "base/pci_address.h"

namespace vmrun::testing {

inline std::vector<PciAddress> addrs(std::initializer_list<const char*> list) {
    std::vector<PciAddress> out;
    for (auto s : list) out.push_back(*parse_pci_address(s));
    return out;
}

}  // namespace vmrun::testing
