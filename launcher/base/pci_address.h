#pragma once
// A PCI function address (domain:bus:slot.function), as sysfs and QEMU spell it.

#include <optional>
#include <string>
#include <string_view>

namespace vmrun {

struct PciAddress {
    unsigned domain = 0, bus = 0, slot = 0, function = 0;

    // "0000:03:00.0" — the sysfs spelling, also accepted by QEMU's host=.
    std::string str() const;
    // The slot this function belongs to: "0000:03:00".
    std::string slot_str() const;
    bool same_slot(const PciAddress& o) const {
        return domain == o.domain && bus == o.bus && slot == o.slot;
    }
    auto operator<=>(const PciAddress&) const = default;
};

// Accepts "DDDD:BB:SS.F" and "BB:SS.F" (hex). Returns nullopt when malformed
// or out of range (slot > 0x1f, function > 7).
std::optional<PciAddress> parse_pci_address(std::string_view text);

// Where SR-IOV puts virtual function `index` (from 0): the PF's routing id
// (bus << 8 | slot << 3 | function) plus offset + index * stride, as the PCIe
// spec defines it; nullopt past bus 255.
std::optional<PciAddress> virtual_function_address(const PciAddress& pf, unsigned offset, unsigned stride, unsigned index);

}  // namespace vmrun
