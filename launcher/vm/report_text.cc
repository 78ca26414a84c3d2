#include "vm/report_text.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace vmrun {

namespace {

bool has_word(const std::string& line, const std::string& part) {
    auto lower = line;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return lower.find(part) != std::string::npos;
}

}  // namespace

std::vector<std::string> relevant_kernel_lines(const std::string& dmesg, const std::vector<std::string>& addresses, size_t most) {
    static const std::vector<std::string> topics = {"vfio", "dmar", "amd-vi", "iommu", "reset", "d3cold", "simpledrm",
                                                    "efifb", "bootfb", "simple-framebuffer", "vesafb", "vendor-reset",
                                                    "kvm", "pcieport", "aer"};
    std::vector<std::string> out;
    std::istringstream in(dmesg);
    std::string line;
    while (std::getline(in, line)) {
        bool keep = std::any_of(topics.begin(), topics.end(), [&](const std::string& t) { return has_word(line, t); }) ||
                    std::any_of(addresses.begin(), addresses.end(), [&](const std::string& a) { return line.find(a) != std::string::npos; });
        if (keep) out.push_back(line);
    }
    if (out.size() > most) out.erase(out.begin(), out.end() - long(most));
    return out;
}

std::string without_macs(const std::string& text) {
    auto hex = [](char c) { return std::isxdigit((unsigned char)c) != 0; };
    std::string out = text;
    // Six pairs: 17 characters, separators at 2, 5, 8, 11, 14, all the same.
    for (size_t i = 0; i + 17 <= out.size(); ++i) {
        char sep = out[i + 2];
        if (sep != ':' && sep != '-') continue;
        bool mac = true;
        for (size_t k = 0; k < 17 && mac; ++k) mac = (k % 3 == 2) ? out[i + k] == sep : hex(out[i + k]);
        // Not part of a longer run of hex (an IPv6 address, a hash).
        if (mac && i > 0 && (hex(out[i - 1]) || out[i - 1] == sep)) mac = false;
        if (mac && i + 17 < out.size() && (hex(out[i + 17]) || out[i + 17] == sep)) mac = false;
        if (!mac) continue;
        out.replace(i, 17, "xx:xx:xx:xx:xx:xx");
        i += 16;
    }
    return out;
}

}  // namespace vmrun
