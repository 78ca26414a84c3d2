#include "profile/value_parsers.h"

#include <arpa/inet.h>

#include <cstdio>

#include <cctype>
#include <charconv>
#include <vector>

namespace vmrun {

namespace {

std::optional<uint64_t> to_number(std::string_view s) {
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<unsigned> hex_byte(std::string_view s) {
    if (s.size() != 2 || !std::isxdigit((unsigned char)s[0]) || !std::isxdigit((unsigned char)s[1]))
        return std::nullopt;
    return unsigned(std::stoul(std::string(s), nullptr, 16));
}

std::optional<uint16_t> hex16(std::string_view s) {
    if (s.size() != 4) return std::nullopt;
    for (char c : s)
        if (!std::isxdigit((unsigned char)c)) return std::nullopt;
    return uint16_t(std::stoul(std::string(s), nullptr, 16));
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) return out;
        start = pos + 1;
    }
}

std::optional<int> port_number(std::string_view s) {
    auto v = to_number(s);
    if (!v || *v < 1 || *v > 65535) return std::nullopt;
    return int(*v);
}

}  // namespace

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isalnum((unsigned char)c) && c != '.' && c != '_' && c != '-') return false;
    return true;
}

bool is_cpu_flag(std::string_view s) {
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) return is_token(s.substr(1));
    auto eq = s.find('=');
    return eq != std::string_view::npos && is_token(s.substr(0, eq)) && is_token(s.substr(eq + 1));
}

std::string printable(std::string_view s) {
    constexpr size_t kMax = 80;
    std::string out;
    for (size_t i = 0; i < s.size() && out.size() < kMax; ++i) {
        auto c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) out += char(c);
        else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    if (out.size() >= kMax) out += "...";
    return out;
}

Parsed<uint64_t> parse_memory_mib(std::string_view text) {
    const char* hint = "write a size with a unit, like 8G or 1024M";
    size_t digits = 0;
    while (digits < text.size() && std::isdigit((unsigned char)text[digits])) ++digits;
    auto number = to_number(text.substr(0, digits));
    if (!number) return Parsed<uint64_t>::fail(hint);
    std::string unit(text.substr(digits));
    for (auto& c : unit) c = char(std::toupper((unsigned char)c));
    if (unit.size() == 3 && unit.substr(1) == "IB") unit = unit.substr(0, 1);
    else if (unit.size() == 2 && unit[1] == 'B') unit = unit.substr(0, 1);
    uint64_t per_unit;
    if (unit == "M") per_unit = 1;
    else if (unit == "G") per_unit = 1024;
    else if (unit == "T") per_unit = 1024 * 1024;
    else if (unit.empty()) return Parsed<uint64_t>::fail("a bare number is ambiguous; " + std::string(hint));
    else return Parsed<uint64_t>::fail("unknown unit '" + std::string(text.substr(digits)) + "'; " + hint);
    // Compared before multiplying, so no size wraps around into a small one.
    if (*number > kMaxMemoryMib / per_unit)
        return Parsed<uint64_t>::fail("memory can be at most 16T");
    uint64_t mib = *number * per_unit;
    if (mib == 0) return Parsed<uint64_t>::fail("memory must be larger than 0; " + std::string(hint));
    return Parsed<uint64_t>::ok(mib);
}

Parsed<std::string> parse_mac(std::string_view text) {
    const char* hint = "write six hex bytes separated by ':', like 52:54:00:12:34:56";
    auto parts = split(text, ':');
    if (parts.size() != 6) return Parsed<std::string>::fail(hint);
    std::string out;
    unsigned first = 0, sum = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
        auto b = hex_byte(parts[i]);
        if (!b) return Parsed<std::string>::fail(hint);
        if (i == 0) first = *b;
        sum += *b;
        static const char* digits = "0123456789abcdef";
        if (i) out += ':';
        out += digits[*b >> 4];
        out += digits[*b & 15];
    }
    if (first & 1)
        return Parsed<std::string>::fail("a multicast MAC (first byte odd) cannot be a NIC address; use a unicast one like 52:54:00:12:34:56");
    if (sum == 0) return Parsed<std::string>::fail("the all-zero MAC is not a valid address; " + std::string(hint));
    return Parsed<std::string>::ok(out);
}

Parsed<UsbId> parse_usb_id(std::string_view text) {
    auto colon = text.find(':');
    if (colon != std::string_view::npos) {
        auto v = hex16(text.substr(0, colon)), p = hex16(text.substr(colon + 1));
        if (v && p) return Parsed<UsbId>::ok({*v, *p});
    }
    return Parsed<UsbId>::fail("write vendor:product as four hex digits each, like 046d:c52b (see lsusb)");
}

Parsed<UsbBusAddr> parse_usb_bus_addr(std::string_view text) {
    auto dot = text.find('.');
    if (dot != std::string_view::npos) {
        auto b = to_number(text.substr(0, dot)), a = to_number(text.substr(dot + 1));
        if (b && a && *b >= 1 && *b <= 255 && *a >= 1 && *a <= 127) return Parsed<UsbBusAddr>::ok({int(*b), int(*a)});
    }
    return Parsed<UsbBusAddr>::fail("write bus.addr in decimal, like 3.4 for 'Bus 003 Device 004' in lsusb");
}

Parsed<Resolution> parse_resolution(std::string_view text) {
    auto x = text.find('x');
    if (x != std::string_view::npos) {
        auto w = to_number(text.substr(0, x)), h = to_number(text.substr(x + 1));
        if (w && h && *w >= 1 && *w <= 16384 && *h >= 1 && *h <= 16384) return Parsed<Resolution>::ok({unsigned(*w), unsigned(*h)});
    }
    return Parsed<Resolution>::fail("write WIDTHxHEIGHT in pixels, like 2560x1440");
}

uint64_t looking_glass_size_mib(unsigned width, unsigned height) {
    uint64_t bytes = uint64_t(width) * height * 4 * 2 + (uint64_t(10) << 20);
    uint64_t mib = 1;
    while ((mib << 20) < bytes) mib <<= 1;
    return mib;
}

Parsed<Forward> parse_port_forward(std::string_view text) {
    const char* hint = "write [tcp|udp:][ADDRESS:]HOSTPORT:GUESTPORT, like 2222:22 or tcp:127.0.0.1:2222:22";
    auto parts = split(text, ':');
    Forward f{"tcp", "127.0.0.1", 0, 0};
    if (!parts.empty() && (parts[0] == "tcp" || parts[0] == "udp")) {
        f.protocol = std::string(parts[0]);
        parts.erase(parts.begin());
    }
    if (parts.size() == 3) {
        f.host_address = std::string(parts[0]);
        parts.erase(parts.begin());
        in_addr parsed{};
        // inet_pton takes exactly four dotted decimals, so "...." or "1.2.3" are refused.
        if (::inet_pton(AF_INET, f.host_address.c_str(), &parsed) != 1)
            return Parsed<Forward>::fail("the host address must be an IPv4 address like 127.0.0.1; " + std::string(hint));
    }
    if (parts.size() != 2) return Parsed<Forward>::fail(hint);
    auto h = port_number(parts[0]), g = port_number(parts[1]);
    if (!h || !g) return Parsed<Forward>::fail("ports are numbers from 1 to 65535; " + std::string(hint));
    f.host_port = *h;
    f.guest_port = *g;
    return Parsed<Forward>::ok(f);
}

bool is_safe_name(std::string_view text) {
    if (text.empty() || text.size() > 64 || text[0] == '.' || text[0] == '-') return false;
    for (char c : text)
        if (!std::isalnum((unsigned char)c) && c != '-' && c != '_' && c != '.') return false;
    return true;
}

bool is_virtiofs_tag(std::string_view text) { return text.size() <= 36 && is_safe_name(text); }

}  // namespace vmrun
