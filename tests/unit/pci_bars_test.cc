// A passed GPU's BARs from sysfs `resource`, and OVMF's 64-bit window sized
// for them (Resizable BAR: 16-32 GiB in one BAR).

#include <doctest/doctest.h>

#include "host/pci/pci_bars.h"
#include "plan/pci_window.h"

using namespace vmrun;

namespace {
// An RTX 3080 with Resizable BAR on: BAR 0 32-bit (16 MiB), BAR 1 64-bit
// prefetchable (16 GiB), BAR 3 64-bit prefetchable (32 MiB), BAR 5 I/O ports,
// then the ROM and the empty bridge lines, as lspci -v and the kernel show it.
const char* kRebarGpu =
    "0x00000000fb000000 0x00000000fbffffff 0x0000000000040200\n"
    "0x0000007800000000 0x0000007bffffffff 0x000000000014220c\n"
    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
    "0x0000007c00000000 0x0000007c01ffffff 0x000000000014220c\n"
    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
    "0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
    "0x00000000fc000000 0x00000000fc07ffff 0x0000000000046200\n"
    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
}  // namespace

TEST_CASE("resource: the memory BARs with their size and width; I/O ports, the ROM and empty lines left out") {
    auto bars = parse_pci_resource(kRebarGpu);
    REQUIRE(bars.size() == 3);
    CHECK(bars[0].index == 0);
    CHECK(bars[0].size() == 16u << 20);
    CHECK_FALSE(bars[0].mem64);
    CHECK(bars[1].index == 1);
    CHECK(bars[1].size() == uint64_t(16) << 30);
    CHECK(bars[1].mem64);
    CHECK(bars[1].prefetch);
    CHECK(bars[2].index == 3);
    CHECK(mem64_bytes(bars) == (uint64_t(16) << 30) + (32u << 20));
    CHECK(parse_pci_resource("not a resource file\n").empty());
}

TEST_CASE("OVMF's 64-bit window: the default for an ordinary GPU, sized and doubled for a Resizable BAR one") {
    PciAddress gpu = *parse_pci_address("0000:0b:00.0"), audio = *parse_pci_address("0000:0b:00.1");
    // 256 MiB of BAR, as without Resizable BAR: 32 GiB holds it.
    CHECK_FALSE(ovmf_mmio64_window_mib({{gpu, uint64_t(256 + 32) << 20}, {audio, 0}}));
    CHECK_FALSE(ovmf_mmio64_window_mib({}));
    // 16 GiB + 32 MiB: rounded to 32 GiB, doubled.
    CHECK(ovmf_mmio64_window_mib({{gpu, (uint64_t(16) << 30) + (32u << 20)}}) == 64 * 1024);
    // An RTX 4090's 32 GiB BAR.
    CHECK(ovmf_mmio64_window_mib({{gpu, (uint64_t(32) << 30) + (32u << 20)}}) == 128 * 1024);
    // Two 8 GiB GPUs together: 16 GiB is half the default, still the default.
    CHECK_FALSE(ovmf_mmio64_window_mib({{gpu, uint64_t(8) << 30}, {audio, uint64_t(8) << 30}}));
}
