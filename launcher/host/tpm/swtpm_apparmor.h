#pragma once
// Ubuntu confines swtpm with AppArmor (/etc/apparmor.d/usr.bin.swtpm): it may
// write its state only where that profile says — /var/lib/swtpm,
// /var/lib/libvirt/swtpm, the user's home, /tmp — and not in vmrun's state
// folder. Confined, swtpm fails at its first write with a bare "Permission
// denied" and the VM never starts. vmrun reads whether the profile is
// enforced and which paths it (and its local/ override) lets swtpm write,
// and refuses a state folder outside them with the override that fixes it.

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"

namespace vmrun {

// The write rules of a profile's text ("/var/lib/swtpm/** rwk,"): paths with
// w or a permission; rules with variables (@{HOME}) are left out.
std::vector<std::string> apparmor_writable_paths(const std::string& profile_text);

// Whether `path` (a folder swtpm writes files in) matches one of the rules (AppArmor globs: *, **).
bool apparmor_allows(const std::vector<std::string>& rules, const std::string& path);

// The refusal when SYSROOT's AppArmor enforces swtpm's profile and its rules
// do not let swtpm write in `state_dir`; nothing otherwise.
std::optional<Failure> swtpm_apparmor_problem(const std::string& sysroot, const std::string& state_dir);

}  // namespace vmrun
