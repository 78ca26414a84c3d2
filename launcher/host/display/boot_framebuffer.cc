#include "host/display/boot_framebuffer.h"

#include <fstream>
#include <set>
#include <sstream>

#include "base/join.h"

namespace vmrun {

namespace {

bool is_framebuffer_name(const std::string& name) {
    static const std::set<std::string> names = {"BOOTFB", "efifb", "simpledrm", "vesafb", "simplefb"};
    return names.count(name) > 0;
}

std::string hex(uint64_t v) {
    std::ostringstream o;
    o << "0x" << std::hex << v;
    return o.str();
}

}  // namespace

std::vector<IomemRange> parse_iomem(std::string_view text) {
    std::vector<IomemRange> out;
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(at, end - at));
        at = end + 1;
        auto dash = line.find('-'), colon = line.find(" : ");
        if (dash == std::string::npos || colon == std::string::npos || dash > colon) continue;
        IomemRange r;
        try {
            r.start = std::stoull(line.substr(0, dash), nullptr, 16);
            r.end = std::stoull(line.substr(dash + 1, colon - dash - 1), nullptr, 16);
        } catch (const std::exception&) {
            continue;
        }
        r.name = line.substr(colon + 3);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<FramebufferClaim> framebuffer_claims(const std::vector<IomemRange>& iomem, const std::vector<PciBar>& bars) {
    std::vector<FramebufferClaim> out;
    for (const auto& r : iomem) {
        // As non-root every address reads 0: nothing can be told.
        if (!is_framebuffer_name(r.name) || r.end == 0) continue;
        for (const auto& b : bars)
            if (r.start <= b.end && r.end >= b.start) {
                out.push_back({r.name, r.start, r.end, b.index});
                break;
            }
    }
    return out;
}

std::vector<FramebufferClaim> read_framebuffer_claims(const std::string& sysroot, const PciAddress& gpu) {
    auto bars = read_pci_bars(sysroot, gpu);
    if (bars.empty()) return {};
    std::ifstream in(std::string(sysroot) + "/proc/iomem");
    std::stringstream text;
    text << in.rdbuf();
    return framebuffer_claims(parse_iomem(text.str()), bars);
}

std::string describe_claims(const std::vector<FramebufferClaim>& claims) {
    std::vector<std::string> parts;
    for (const auto& c : claims) parts.push_back(c.name + " " + hex(c.start) + "-" + hex(c.end) + " in BAR " + std::to_string(c.bar));
    return join(parts, ", ");
}

Failure framebuffer_in_bar(const PciAddress& gpu, const std::vector<FramebufferClaim>& claims, const std::string& profile_file) {
    return {"the firmware framebuffer holds memory of " + gpu.str() + " (" + describe_claims(claims) +
                "): vfio-pci could not reserve that BAR (\"can't reserve\"), the guest would get Code 43 or a black screen",
            "if this GPU drives the host's desktop, let vmrun hand it over: host_display: handoff in " + profile_file +
                "; else boot with initcall_blacklist=sysfb_init (vmrun host-config prints it; on kernels without "
                "simpledrm video=efifb:off does too)"};
}

Failure framebuffer_still_in_bar(const PciAddress& gpu, const std::vector<FramebufferClaim>& claims) {
    return {"the firmware framebuffer still holds memory of " + gpu.str() + " after its driver was unbound (" +
                describe_claims(claims) + "): on a simpledrm kernel BOOTFB stays until a native driver removes it",
            "boot with initcall_blacklist=sysfb_init (vmrun host-config prints it), or with NVIDIA's driver set "
            "nvidia_drm.fbdev=1 so that it takes the framebuffer over at boot"};
}

}  // namespace vmrun
