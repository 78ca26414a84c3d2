#pragma once
// A GPU's option ROM, which the guest's firmware runs to light the screen:
// OVMF needs its UEFI image (the GOP driver), SeaBIOS its legacy one. Two
// things go wrong on real hosts. The host's boot GPU reads back the copy the
// host firmware shadowed at 0xC0000 — modified by POST, without the UEFI
// image — so the guest gets no GOP and the screen stays black until the
// guest's driver loads. And a `romfile` dumped with nvflash or downloaded
// from a BIOS collection may carry a header in front of the ROM itself.

#include <string>
#include <string_view>
#include <vector>

#include "base/failure.h"
#include "profile/profile.h"

namespace vmrun {

// The images of a PCI option ROM (PCI Firmware Specification 3.x: each image
// starts with 55 AA, points to its "PCIR" structure at 0x18, which gives its
// code type, its length in 512-byte blocks and whether it is the last).
struct OptionRomImages {
    bool signature = false;  // 55 AA at the start
    bool legacy = false;     // a code type 0 image (x86 BIOS)
    bool efi = false;        // a code type 3 image (UEFI: the GOP driver)
};

OptionRomImages parse_option_rom(std::string_view bytes);

// What to tell about a passed function's ROM before the VM starts: a romfile
// that is not a ROM or has no UEFI image under OVMF, the boot GPU without a
// romfile. Warnings: the guest still starts.
std::vector<Failure> rom_warnings(const std::string& sysroot, const Passthrough& x, FirmwareType firmware,
                                  const std::string& profile_file);

}  // namespace vmrun
