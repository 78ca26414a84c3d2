#include "host/pci/pci_bars.h"

#include <fstream>
#include <sstream>

#include "host/pci/pci_sysfs.h"

namespace vmrun {

namespace {
// include/linux/ioport.h
constexpr uint64_t kIoresourceMem = 0x00000200;
constexpr uint64_t kIoresourcePrefetch = 0x00002000;
constexpr uint64_t kIoresourceMem64 = 0x00100000;
constexpr int kBars = 6;
}  // namespace

std::vector<PciBar> parse_pci_resource(const std::string& text) {
    std::vector<PciBar> out;
    std::istringstream in(text);
    std::string line;
    for (int index = 0; index < kBars && std::getline(in, line); ++index) {
        std::istringstream fields(line);
        std::string start, end, flags;
        if (!(fields >> start >> end >> flags)) continue;
        PciBar bar;
        uint64_t f = 0;
        try {
            bar.start = std::stoull(start, nullptr, 16);
            bar.end = std::stoull(end, nullptr, 16);
            f = std::stoull(flags, nullptr, 16);
        } catch (const std::exception&) {
            continue;
        }
        if (!(f & kIoresourceMem) || bar.end <= bar.start) continue;
        bar.index = index;
        bar.mem64 = f & kIoresourceMem64;
        bar.prefetch = f & kIoresourcePrefetch;
        out.push_back(bar);
    }
    return out;
}

std::vector<PciBar> read_pci_bars(const std::string& sysroot, const PciAddress& address) {
    std::ifstream in(pci_device_dir(sysroot, address) / "resource");
    std::stringstream text;
    text << in.rdbuf();
    return parse_pci_resource(text.str());
}

uint64_t mem64_bytes(const std::vector<PciBar>& bars) {
    uint64_t total = 0;
    for (const auto& b : bars)
        if (b.mem64) total += b.size();
    return total;
}

}  // namespace vmrun
