// vmrun export libvirt PROFILE: the VM as a libvirt domain XML on stdout,
// what libvirt cannot say as warnings on stderr.

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "vm/load_plan.h"
#include "libvirt/domain_export.h"

namespace vmrun::cli {

namespace {

// libvirt wants the emulator's absolute path; the profile's may be a bare name.
std::string absolute_binary(const std::string& name) {
    if (name.find('/') != std::string::npos) return std::filesystem::absolute(name).lexically_normal().string();
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return "/usr/bin/" + name;
}

}  // namespace

int run_export(const ParsedArgs& args) {
    auto format = args.positional("FORMAT");
    if (format != "libvirt") {
        std::cerr << "vmrun: export knows one format, 'libvirt' (vmrun export libvirt PROFILE > vm.xml)\n";
        return kExitUsage;
    }
    auto loaded = load_plan(args.positional("PROFILE"));
    if (!loaded.plan) return loaded.exit_code;
    auto domain = export_libvirt_domain(*loaded.plan, absolute_binary(loaded.plan->facts.qemu_binary));
    for (const auto& w : domain.warnings) std::cerr << "vmrun: export: " << w << "\n";
    std::cout << domain.xml;
    return kExitOk;
}

}  // namespace vmrun::cli
