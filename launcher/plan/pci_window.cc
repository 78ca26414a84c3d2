#include "plan/pci_window.h"

#include <bit>

namespace vmrun {

std::optional<uint64_t> ovmf_mmio64_window_mib(const std::map<PciAddress, uint64_t>& mem64_bytes) {
    uint64_t need = 0;
    for (const auto& [address, bytes] : mem64_bytes)
        if (bytes) need += std::bit_ceil(bytes);  // the kernel's BARs lie below 2^52: no overflow
    uint64_t need_mib = std::bit_ceil(need) >> 20;
    // Half the default: the rest is the emulated devices' and the alignment's.
    if (need_mib <= kOvmfDefaultMmio64Mib / 2) return std::nullopt;
    return need_mib * 2;
}

}  // namespace vmrun
