// vmrun report NAME|PROFILE [--output DIR] [--keep-macs] [--json]: the folder
// to attach to a bug report (vm/report).

#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/vm_target.h"
#include "vm/report.h"

namespace vmrun::cli {

int run_report(const ParsedArgs& args) {
    auto what = args.positional("VM");
    ReportRequest r;
    r.output_dir = args.value_or("output", ".");
    r.keep_macs = args.flag("keep-macs");
    r.vmrun_version = VMRUN_VERSION;
    int refused = kExitUsage;
    auto target = vm_or_profile(args, what, ProfileUse::best_effort, refused);
    if (!target) return refused;
    r.vm = target->vm;
    r.profile_path = target->profile_path;
    auto report = write_report(r);
    if (report.failure) {
        std::cerr << "vmrun report: " << report.failure->text() << "\n";
        return kExitFailure;
    }
    if (args.flag("json")) {
        auto files = nlohmann::json::array();
        for (const auto& f : report.files) files.push_back({{"name", f.name}, {"what", f.what}});
        std::cout << nlohmann::json{{"folder", report.folder}, {"files", files}, {"left_out", report.left_out}}.dump(2) << "\n";
        return kExitOk;
    }
    std::cout << "vmrun: report of " << r.vm.name << " in " << report.folder << "\n";
    for (const auto& f : report.files) std::cout << "  " << f.name << ": " << f.what << "\n";
    for (const auto& l : report.left_out) std::cout << "  left out: " << l << "\n";
    std::cout << "Look it over before you attach it (tar czf report.tgz -C " << r.output_dir << " "
              << std::filesystem::path(report.folder).filename().string() << ")\n";
    return kExitOk;
}

}  // namespace vmrun::cli
