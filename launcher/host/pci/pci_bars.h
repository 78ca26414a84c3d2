#pragma once
// A function's memory BARs as the kernel assigned them: sysfs `resource`, one
// "start end flags" line per resource (BARs 0-5, the ROM, then bridge windows
// or a PF's VF BARs). vmrun reads it for the sizes of a passed GPU's 64-bit
// BARs (the guest firmware's 64-bit window must hold them) and for where they
// lie in /proc/iomem (what else claims a range inside them).

#include <cstdint>
#include <string>
#include <vector>

#include "base/pci_address.h"

namespace vmrun {

struct PciBar {
    int index = 0;        // 0-5
    uint64_t start = 0, end = 0;
    bool mem64 = false;   // IORESOURCE_MEM_64: a 64-bit BAR
    bool prefetch = false;
    uint64_t size() const { return end - start + 1; }
};

// The memory BARs (0-5) of a `resource` file's text; I/O ports and empty ones left out.
std::vector<PciBar> parse_pci_resource(const std::string& text);

// SYSROOT/sys/bus/pci/devices/ADDRESS/resource, parsed; empty when unreadable.
std::vector<PciBar> read_pci_bars(const std::string& sysroot, const PciAddress& address);

// The bytes of a function's 64-bit BARs together.
uint64_t mem64_bytes(const std::vector<PciBar>& bars);

}  // namespace vmrun
