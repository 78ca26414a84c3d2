#include "plan/qemu_option.h"

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

namespace vmrun {

ParsedOption parse_option(std::string_view text) {
    ParsedOption out;
    std::vector<std::string> parts(1);
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ',' && i + 1 < text.size() && text[i + 1] == ',') {
            parts.back() += ',';
            ++i;
        } else if (text[i] == ',') {
            parts.emplace_back();
        } else {
            parts.back() += text[i];
        }
    }
    for (size_t i = 0; i < parts.size(); ++i) {
        auto eq = parts[i].find('=');
        if (i == 0 && eq == std::string::npos) out.head = parts[i];
        else if (eq == std::string::npos) out.props.emplace_back(parts[i], "");
        else out.props.emplace_back(parts[i].substr(0, eq), parts[i].substr(eq + 1));
    }
    return out;
}

}  // namespace vmrun
