#pragma once
// OVMF's 64-bit PCI MMIO window. edk2 up to 2023 (Debian 12's OVMF) opens
// 32 GiB above RAM for every 64-bit BAR the guest has; a GPU with Resizable
// BAR enabled brings a 16-32 GiB BAR of its own, which then does not fit:
// the guest leaves it unassigned (Windows: Code 12, a black screen). QEMU
// tells OVMF a larger window through fw_cfg's opt/ovmf/X-PciMmio64Mb.

#include <cstdint>
#include <map>
#include <optional>

#include "base/pci_address.h"

namespace vmrun {

constexpr uint64_t kOvmfDefaultMmio64Mib = 32 * 1024;

// The window (MiB) for functions with these 64-bit BAR totals (bytes), or
// nullopt when the default holds them with room to spare. Sized generously,
// because a window too large costs nothing and one too small cannot be
// mended while the guest runs: each function's BARs rounded up to a power of
// two (BARs are aligned to their size), added, rounded up again and doubled
// (room for the emulated devices and the root ports' alignment).
std::optional<uint64_t> ovmf_mmio64_window_mib(const std::map<PciAddress, uint64_t>& mem64_bytes);

}  // namespace vmrun
