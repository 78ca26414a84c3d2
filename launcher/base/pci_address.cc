#include "base/pci_address.h"

#include <cstdio>

namespace vmrun {

namespace {

bool parse_hex(std::string_view s, size_t digits, unsigned& out) {
    if (s.size() != digits) return false;
    unsigned v = 0;
    for (char c : s) {
        v <<= 4;
        if (c >= '0' && c <= '9') v |= unsigned(c - '0');
        else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
        else return false;
    }
    out = v;
    return true;
}

}  // namespace

std::string PciAddress::str() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", domain, bus, slot, function);
    return buf;
}

std::string PciAddress::slot_str() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04x:%02x:%02x", domain, bus, slot);
    return buf;
}

std::optional<PciAddress> parse_pci_address(std::string_view text) {
    PciAddress a;
    auto first_colon = text.find(':');
    if (first_colon == std::string_view::npos) return std::nullopt;
    if (text.find(':', first_colon + 1) != std::string_view::npos) {
        if (!parse_hex(text.substr(0, first_colon), 4, a.domain)) return std::nullopt;
        text.remove_prefix(first_colon + 1);
    }
    auto colon = text.find(':');
    auto dot = text.find('.');
    if (colon == std::string_view::npos || dot == std::string_view::npos || dot < colon)
        return std::nullopt;
    if (!parse_hex(text.substr(0, colon), 2, a.bus)) return std::nullopt;
    if (!parse_hex(text.substr(colon + 1, dot - colon - 1), 2, a.slot)) return std::nullopt;
    if (!parse_hex(text.substr(dot + 1), 1, a.function)) return std::nullopt;
    if (a.slot > 0x1f || a.function > 7) return std::nullopt;
    return a;
}

std::optional<PciAddress> virtual_function_address(const PciAddress& pf, unsigned offset, unsigned stride, unsigned index) {
    unsigned rid = (pf.bus << 8 | pf.slot << 3 | pf.function) + offset + index * stride;
    if (rid > 0xffff) return std::nullopt;
    return PciAddress{pf.domain, rid >> 8, (rid >> 3) & 0x1f, rid & 7};
}

}  // namespace vmrun
