#include "plan/pci_window.h"

namespace vmrun {

namespace {
uint64_t power_of_two_at_least(uint64_t n) {
    uint64_t p = 1;
    while (p < n && p < (uint64_t(1) << 62)) p <<= 1;
    return p;
}
}  // namespace

std::optional<uint64_t> ovmf_mmio64_window_mib(const std::map<PciAddress, uint64_t>& mem64_bytes) {
    uint64_t need = 0;
    for (const auto& [address, bytes] : mem64_bytes)
        if (bytes) need += power_of_two_at_least(bytes);
    uint64_t need_mib = power_of_two_at_least(need) >> 20;
    // Half the default: the rest is the emulated devices' and the alignment's.
    if (need_mib <= kOvmfDefaultMmio64Mib / 2) return std::nullopt;
    return need_mib * 2;
}

}  // namespace vmrun
