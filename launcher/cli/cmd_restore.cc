// vmrun restore NAME: put the host back after a supervisor was killed or
// crashed (vm/restore).

#include <iostream>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/vm_target.h"
#include "vm/restore.h"

namespace vmrun::cli {

int run_restore(const ParsedArgs& args) {
    auto folder = vm_named(args);
    if (!folder) return kExitUsage;
    if (!folders_trusted(*folder)) return kExitFailure;
    auto report = restore_vm(*folder);
    if (!report.refusal.empty()) std::cerr << "vmrun: " << report.refusal << "\n";
    return report.exit_code;
}

}  // namespace vmrun::cli
