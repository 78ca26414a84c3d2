#include "base/utf8.h"

#include <cstdio>
#include <string>

namespace vmrun {

size_t first_invalid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = (unsigned char)s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        unsigned cp;
        if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
        else return i;
        if (i + len > s.size()) return i;
        for (size_t k = 1; k < len; ++k) {
            auto cc = (unsigned char)s[i + k];
            if ((cc & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

namespace {

std::string hex2(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02x", v);
    return buf;
}

}  // namespace

std::string as_one_line(std::string_view s) {
    std::string out;
    for (size_t k = 0; k < s.size(); ++k) {
        unsigned char c = s[k], next = k + 1 < s.size() ? s[k + 1] : 0, third = k + 2 < s.size() ? s[k + 2] : 0;
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            out += "\\x" + hex2(c);
        } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {  // C1 controls, U+0080..U+009F
            out += "\\u00" + hex2(next);
            k += 1;
        } else if (c == 0xE2 && next == 0x80 && (third == 0xA8 || third == 0xA9)) {  // U+2028, U+2029
            out += third == 0xA8 ? "\\u2028" : "\\u2029";
            k += 2;
        } else {
            out += char(c);
        }
    }
    return out;
}

}  // namespace vmrun
