// vmrun stop NAME [--force] [--timeout S]: power the guest off through ACPI,
// and escalate when it does not go (vm/stop).

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/vm_target.h"
#include "vm/stop.h"

namespace vmrun::cli {

int run_stop(const ParsedArgs& args) {
    auto folder = vm_named(args);
    if (!folder) return kExitUsage;
    if (!folders_trusted(*folder)) return kExitFailure;
    return stop_vm(*folder, args.flag("force"), args.seconds_or("timeout", 90));
}

}  // namespace vmrun::cli
