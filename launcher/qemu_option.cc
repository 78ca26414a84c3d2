#include "qemu_option.h"

namespace vmrun {

std::string escape_option_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        out += c;
        if (c == ',') out += ',';
    }
    return out;
}

QemuOption& QemuOption::set(const std::string& key, std::string_view value) {
    parts_.push_back(key + "=" + escape_option_value(value));
    return *this;
}

QemuOption& QemuOption::flag(const std::string& text) {
    parts_.push_back(escape_option_value(text));
    return *this;
}

std::string QemuOption::str() const {
    std::string out = head_;
    for (const auto& p : parts_) {
        if (!out.empty()) out += ',';
        out += p;
    }
    return out;
}

}  // namespace vmrun
