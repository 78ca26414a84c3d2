#include "plan/qemu_option.h"

namespace vmrun {

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
