#include "host/pci/option_rom.h"

#include <algorithm>
#include <fstream>

#include "host/pci/pci_sysfs.h"
#include "host/sysfs_io.h"

namespace vmrun {

namespace {

constexpr size_t kMaxImages = 16;
constexpr size_t kMaxRomBytes = 16 << 20;  // ROM BARs are at most a few MiB

unsigned byte_at(std::string_view b, size_t at) { return at < b.size() ? (unsigned char)b[at] : 0; }
unsigned le16(std::string_view b, size_t at) { return byte_at(b, at) | byte_at(b, at + 1) << 8; }

}  // namespace

OptionRomImages parse_option_rom(std::string_view bytes) {
    OptionRomImages out;
    size_t at = 0;
    for (size_t n = 0; n < kMaxImages && at + 0x1a <= bytes.size(); ++n) {
        if (byte_at(bytes, at) != 0x55 || byte_at(bytes, at + 1) != 0xaa) break;
        if (at == 0) out.signature = true;
        size_t pcir = at + le16(bytes, at + 0x18);
        if (pcir + 0x18 > bytes.size() || bytes.substr(pcir, 4) != "PCIR") break;
        unsigned code_type = byte_at(bytes, pcir + 0x14);
        if (code_type == 0) out.legacy = true;
        if (code_type == 3) out.efi = true;
        size_t length = size_t(le16(bytes, pcir + 0x10)) * 512;
        if (length == 0 || (byte_at(bytes, pcir + 0x15) & 0x80)) break;  // the last image
        at += length;
    }
    return out;
}

std::vector<Failure> rom_warnings(const std::string& sysroot, const Passthrough& x, FirmwareType firmware,
                                  const std::string& profile_file) {
    std::vector<Failure> out;
    if (x.vf || (x.rombar && !*x.rombar)) return out;  // no ROM shown to the guest
    auto address = x.host.str();
    if (!x.romfile.empty()) {
        std::ifstream in(x.romfile, std::ios::binary);
        if (!in) return out;  // preflight names a missing file
        // What the file holds, up to the largest ROM there is — not that much memory for every start.
        in.seekg(0, std::ios::end);
        auto size = std::clamp<std::streamoff>(in.tellg(), 0, std::streamoff(kMaxRomBytes));
        in.seekg(0);
        std::string bytes(size_t(size), '\0');
        in.read(bytes.data(), size);
        bytes.resize(size_t(in.gcount()));
        auto rom = parse_option_rom(bytes);
        if (!rom.signature)
            out.push_back({"romfile " + x.romfile + " for " + address + " does not start with a PCI option ROM (55 AA)",
                           "a dump made with nvflash or GPU-Z keeps NVIDIA's header in front of the ROM: cut everything "
                           "before the first 55 AA that is followed by a \"PCIR\" structure, or dump it through sysfs"});
        else if (firmware == FirmwareType::ovmf && !rom.efi)
            out.push_back({"romfile " + x.romfile + " for " + address + " has no UEFI image (GOP): OVMF shows nothing on "
                           "that GPU until the guest's driver loads",
                           "use a ROM with a UEFI image (your card's from a recent firmware update or TechPowerUp's "
                           "collection), or firmware: seabios"});
        return out;
    }
    if (read_first_line(pci_device_dir(sysroot, x.host) / "boot_vga") != "1") return out;
    out.push_back({address + " is the host's boot GPU: its ROM reads back as the copy the host firmware left at 0xC0000, "
                   "not the card's own" + std::string(firmware == FirmwareType::ovmf
                                                         ? ", without the UEFI image OVMF needs: black until the guest's driver loads"
                                                         : ", changed by the host's POST: the guest may not initialise the card"),
                   "dump the card's ROM on a boot where another GPU is primary (echo 1 > /sys/bus/pci/devices/" + address +
                       "/rom; cat /sys/bus/pci/devices/" + address + "/rom > gpu.rom; echo 0 > /sys/bus/pci/devices/" +
                       address + "/rom), then set romfile: gpu.rom on it in " + profile_file});
    return out;
}

}  // namespace vmrun
