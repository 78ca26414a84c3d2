#include "cli/vm_target.h"

#include <filesystem>
#include <iostream>

#include "base/exit_codes.h"
#include "profile/value_parsers.h"
#include "vm/load_plan.h"
#include "vm/report.h"
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

std::optional<VmOrProfile> vm_or_profile(const ParsedArgs& args, const std::string& what, ProfileUse use, int& exit_code) {
    const auto& command = args.command().name;
    VmOrProfile out;
    std::error_code ec;
    exit_code = kExitUsage;
    if (std::filesystem::is_regular_file(what, ec)) {
        out.profile_path = what;
        auto loaded = load_plan(what, use == ProfileUse::needed);
        if (!loaded.plan && use == ProfileUse::needed) {
            exit_code = loaded.exit_code;
            return std::nullopt;
        }
        auto name = loaded.plan ? loaded.plan->profile.name : std::filesystem::path(what).stem().string();
        if (!is_safe_name(name)) {
            std::cerr << "vmrun " << command << ": " << what << " names no VM vmrun can have folders for\n";
            return std::nullopt;
        }
        out.vm = vm_paths_for(name);
    } else if (is_safe_name(what)) {
        out.vm = vm_paths_for(what);
        out.profile_path = profile_of(out.vm);
    } else {
        std::cerr << "vmrun " << command << ": '" << what << "' is neither a profile file nor a VM name (see 'vmrun list')\n";
        return std::nullopt;
    }
    if (!folders_trusted(out.vm)) {
        exit_code = kExitFailure;
        return std::nullopt;
    }
    return out;
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
