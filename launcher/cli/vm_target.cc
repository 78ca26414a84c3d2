#include "cli/vm_target.h"

#include <iostream>

#include "profile/value_parsers.h"
#include "vm/print_problems.h"

namespace vmrun::cli {

std::optional<VmPaths> vm_named(const ParsedArgs& args) {
    auto name = args.positional("NAME");
    if (!is_safe_name(name)) {
        std::cerr << "vmrun " << args.command().name << ": '" << name
                  << "' is not a VM name (letters, digits, '-', '_', '.'; see 'vmrun list')\n";
        return std::nullopt;
    }
    return vm_paths_for(name);
}

bool folders_trusted(const VmPaths& vm) {
    if (auto failure = check_folders(vm)) {
        print_problems({*failure});
        return false;
    }
    return true;
}

std::optional<VmTarget> resolve_target(const ParsedArgs& args) {
    VmTarget t;
    if (auto qmp = args.value("qmp")) {
        t.qmp_socket = *qmp;
        return t;
    }
    auto folder = vm_named(args);
    if (!folder || !folders_trusted(*folder)) return std::nullopt;
    t.folder = *folder;
    t.qmp_socket = t.folder.qmp_socket();
    return t;
}

}  // namespace vmrun::cli
