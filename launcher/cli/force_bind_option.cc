#include "cli/force_bind_option.h"

#include <iostream>

namespace vmrun::cli {

std::optional<ForceBind> force_bind_option(const ParsedArgs& args) {
    if (!args.flag("force-bind")) return ForceBind{};
    auto value = args.value("force-bind").value_or("");
    std::string error;
    auto force = parse_force_bind(value, error);
    if (!force) {
        std::cerr << "vmrun " << args.command().name << ": " << error << "\n";
        return std::nullopt;
    }
    if (value.empty())
        std::cerr << "vmrun: warning: --force-bind overrides every refusal (" << host_use_kind_names(", ")
                  << "); --force-bind=gpu-holders (or another kind) overrides that one only\n";
    return force;
}

}  // namespace vmrun::cli
