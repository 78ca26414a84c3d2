#pragma once
// Finding a running VM from the command line: by name (its runtime folder)
// or by an explicit --qmp PATH.

#include <optional>
#include <string>

#include "cli/command.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"
#include "vm/vm_target.h"

namespace vmrun::cli {

// The VM a vm_target command names (NAME, or --qmp PATH). Prints the problem
// and returns nullopt when NAME is not a VM name.
std::optional<VmTarget> resolve_target(const ParsedArgs& args);

// The VM named by the NAME positional.
std::optional<VmPaths> vm_named(const ParsedArgs& args);

// A VM named by its name or by its profile's path (report, snapshot): its
// folders, which must be trusted, and its profile file ("" when none is known).
struct VmOrProfile {
    VmPaths vm;
    std::string profile_path;
};
enum class ProfileUse {
    needed,     // a profile that does not load is refused, its problems printed
    best_effort // one that does not load still names the VM by its file's stem (a report of a broken profile)
};
// Prints why and sets `exit_code` when `what` is neither.
std::optional<VmOrProfile> vm_or_profile(const ParsedArgs& args, const std::string& what, ProfileUse use, int& exit_code);

// True when the VM's folders can be trusted (run/private_dir); else prints why.
bool folders_trusted(const VmPaths& vm);

}  // namespace vmrun::cli
