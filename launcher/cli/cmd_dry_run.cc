// vmrun dry-run PROFILE: print the commands vmrun would run, and nothing else:
// swtpm's and each shared folder's virtiofsd first (in the background, as
// vmrun starts them before QEMU), then QEMU's. --json prints QEMU's argv alone, as before.

#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "vm/load_plan.h"
#include "plan/audio_description.h"
#include "plan/qemu_argv.h"
#include "plan/shell_quote.h"
#include "plan/swtpm_argv.h"
#include "plan/virtiofsd_argv.h"

namespace vmrun::cli {

int run_dry_run(const ParsedArgs& args) {
    bool json = args.flag("json");
    auto profile = args.positional("PROFILE");
    auto loaded = load_plan(profile);
    if (!loaded.plan) return loaded.exit_code;
    auto argv = build_qemu_argv(*loaded.plan);
    if (json) {
        std::cout << nlohmann::json(argv).dump(2) << "\n";
        return kExitOk;
    }
    if (auto swtpm = build_swtpm_argv(*loaded.plan); !swtpm.empty()) std::cout << shell_join(swtpm) << " &\n";
    for (const auto& folder : loaded.plan->shared_folders) {
        // By hand the folder is exported by its path, writable: vmrun's own
        // start serves it through a mount namespace (read-only for readonly).
        if (folder.folder.readonly) std::cout << "# '" << folder.folder.tag << "' is read-only when vmrun starts it\n";
        std::cout << shell_join(build_virtiofsd_argv(folder, loaded.plan->facts.virtiofsd_binary)) << " &\n";
    }
    if (loaded.plan->audio) std::cout << "# audio: " << describe_audio(*loaded.plan->audio) << "\n";
    std::string env;
    for (const auto& [key, value] : qemu_environment(*loaded.plan)) env += key + "=" + shell_quote(value) + " ";
    std::cout << env << shell_join(argv) << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
