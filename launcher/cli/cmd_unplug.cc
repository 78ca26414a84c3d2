// vmrun unplug NAME ID [--timeout S] [--persist]: a request for vm/unplug,
// whose changes are printed a line each or, with --json, as one document.

#include "base/exit_codes.h"
#include "cli/change_report.h"
#include "cli/command.h"
#include "cli/vm_target.h"
#include "vm/unplug.h"

namespace vmrun::cli {

int run_unplug(const ParsedArgs& args) {
    auto target = resolve_target(args);
    if (!target) return kExitUsage;
    UnplugRequest request{args.positional("ID"), args.seconds_or("timeout", 30), args.flag("persist")};
    ChangeReport report(args.flag("json"), target->folder.name);
    return unplug(*target, request, report);
}

}  // namespace vmrun::cli
