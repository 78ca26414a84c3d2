#include "plan/force_bind.h"

namespace vmrun {

const char* host_use_kind_name(HostUseKind kind) {
    switch (kind) {
        case HostUseKind::console: return "console";
        case HostUseKind::disk: return "disk";
        case HostUseKind::default_route: return "default-route";
        case HostUseKind::gpu_holders: return "gpu-holders";
    }
    return "";
}

std::string host_use_kind_names(const std::string& separator) {
    std::string names;
    for (auto k : ForceBind::all().kinds) names += (names.empty() ? "" : separator) + std::string(host_use_kind_name(k));
    return names;
}

std::string force_bind_hint(HostUseKind kind) { return std::string("or, if you are sure, pass --force-bind=") + host_use_kind_name(kind); }

std::optional<ForceBind> parse_force_bind(const std::string& value, std::string& error) {
    if (value.empty()) return ForceBind::all();
    ForceBind out;
    std::string names = host_use_kind_names(", ");
    for (size_t start = 0; start <= value.size();) {
        auto comma = value.find(',', start);
        auto word = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        bool known = false;
        for (auto k : ForceBind::all().kinds)
            if (word == host_use_kind_name(k)) {
                out.kinds.insert(k);
                known = true;
            }
        if (!known) {
            error = "--force-bind takes " + names + " (comma-separated), or nothing for all of them; got '" + word + "'";
            return std::nullopt;
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace vmrun
