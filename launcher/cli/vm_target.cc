#include "cli/vm_target.h"

#include <iostream>

#include "profile/value_parsers.h"

namespace vmrun::cli {

std::optional<VmTarget> take_target(std::vector<std::string>& args, const char* usage) {
    VmTarget t;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--qmp" && i + 1 < args.size()) {
            t.qmp_socket = args[i + 1];
            args.erase(args.begin() + long(i), args.begin() + long(i) + 2);
            break;
        }
    }
    if (t.qmp_socket.empty()) {
        if (args.empty() || args[0].empty() || args[0][0] == '-') {
            std::cerr << usage;
            return std::nullopt;
        }
        if (!is_safe_name(args[0])) {
            std::cerr << "vmrun: '" << args[0] << "' is not a VM name\n";
            return std::nullopt;
        }
        t.folder = vm_paths_for(args[0]);
        t.qmp_socket = t.folder.qmp_socket();
        args.erase(args.begin());
    }
    return t;
}

}  // namespace vmrun::cli
