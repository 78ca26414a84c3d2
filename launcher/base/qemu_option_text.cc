#include "base/qemu_option_text.h"

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
