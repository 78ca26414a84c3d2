// vmrun bind PROFILE [--force-bind[=KINDS]] [--sysroot DIR]: vm/bind_profile.

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/force_bind_option.h"
#include "vm/bind_profile.h"

namespace vmrun::cli {

int run_bind(const ParsedArgs& args) {
    auto forced = force_bind_option(args);
    if (!forced) return kExitUsage;
    return bind_profile(args.positional("PROFILE"), *forced, args.value("sysroot"));
}

}  // namespace vmrun::cli
