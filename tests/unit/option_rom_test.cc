// A passed GPU's option ROM: the images a ROM holds, a romfile with a header
// in front, one without the UEFI image OVMF needs, the boot GPU's shadow copy.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "host/pci/option_rom.h"
#include "temp_dir.h"
#include "text_has.h"

using namespace vmrun;
using vmrun::testing::TempDir;

namespace {

// One image of `blocks` 512-byte blocks with its PCIR structure at 0x40.
std::string rom_image(unsigned code_type, unsigned blocks, bool last) {
    std::string img(blocks * 512, '\0');
    img[0] = char(0x55);
    img[1] = char(0xaa);
    img[0x18] = 0x40;
    img.replace(0x40, 4, "PCIR");
    img[0x40 + 0x10] = char(blocks & 0xff);
    img[0x40 + 0x11] = char(blocks >> 8);
    img[0x40 + 0x14] = char(code_type);
    img[0x40 + 0x15] = last ? char(0x80) : 0;
    return img;
}

std::string write_rom(const TempDir& dir, const std::string& name, const std::string& bytes) {
    std::string path = dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

Passthrough gpu(const std::string& romfile = "") {
    Passthrough x;
    x.host = *parse_pci_address("0000:01:00.0");
    x.romfile = romfile;
    return x;
}

}  // namespace

TEST_CASE("option ROM: the legacy and UEFI images of a GPU's ROM, walked image by image") {
    auto both = parse_option_rom(rom_image(0, 2, false) + rom_image(3, 4, true));
    CHECK(both.signature);
    CHECK(both.legacy);
    CHECK(both.efi);
    auto legacy_only = parse_option_rom(rom_image(0, 2, true) + rom_image(3, 4, true));  // the last image ends the walk
    CHECK(legacy_only.legacy);
    CHECK_FALSE(legacy_only.efi);
    // nvflash's dump: NVIDIA's header before the ROM.
    auto headed = parse_option_rom(std::string(0x600, 'N') + rom_image(0, 2, false) + rom_image(3, 2, true));
    CHECK_FALSE(headed.signature);
    CHECK_FALSE(parse_option_rom("").signature);
    CHECK_FALSE(parse_option_rom(std::string("\x55\xaa", 2)).signature);  // too short for a PCIR pointer
}

TEST_CASE("option ROM warnings: a headed romfile, no GOP under OVMF, the boot GPU without a romfile") {
    TempDir dir;
    auto good = write_rom(dir, "good.rom", rom_image(0, 2, false) + rom_image(3, 2, true));
    auto legacy = write_rom(dir, "legacy.rom", rom_image(0, 2, true));
    auto headed = write_rom(dir, "headed.rom", std::string(0x600, 'N') + rom_image(0, 2, true));
    std::string sysroot = dir / "host";
    auto dev = std::filesystem::path(sysroot) / "sys/bus/pci/devices/0000:01:00.0";
    std::filesystem::create_directories(dev);

    CHECK(rom_warnings(sysroot, gpu(good), FirmwareType::ovmf, "g.yaml").empty());
    CHECK(rom_warnings(sysroot, gpu(legacy), FirmwareType::seabios, "g.yaml").empty());
    auto no_gop = rom_warnings(sysroot, gpu(legacy), FirmwareType::ovmf, "g.yaml");
    REQUIRE(no_gop.size() == 1);
    CHECK(has(no_gop[0].what, "has no UEFI image (GOP): OVMF shows nothing"));
    auto cut = rom_warnings(sysroot, gpu(headed), FirmwareType::ovmf, "g.yaml");
    REQUIRE(cut.size() == 1);
    CHECK(has(cut[0].what, "does not start with a PCI option ROM (55 AA)"));
    CHECK(has(cut[0].fix, "nvflash"));

    // The boot GPU without a romfile; a secondary one says nothing.
    std::ofstream(dev / "boot_vga") << "0\n";
    CHECK(rom_warnings(sysroot, gpu(), FirmwareType::ovmf, "g.yaml").empty());
    std::ofstream(dev / "boot_vga") << "1\n";
    auto shadow = rom_warnings(sysroot, gpu(), FirmwareType::ovmf, "g.yaml");
    REQUIRE(shadow.size() == 1);
    CHECK(has(shadow[0].what, "0000:01:00.0 is the host's boot GPU"));
    CHECK(has(shadow[0].fix, "echo 1 > /sys/bus/pci/devices/0000:01:00.0/rom"));
    CHECK(has(shadow[0].fix, "romfile: gpu.rom on it in g.yaml"));
    // No ROM shown to the guest (rombar off): nothing to warn about.
    auto no_bar = gpu();
    no_bar.rombar = false;
    CHECK(rom_warnings(sysroot, no_bar, FirmwareType::ovmf, "g.yaml").empty());
}
