#pragma once
// A systemd unit that starts a VM at boot, headless, under vmrun's supervisor.

#include <string>

#include "profile/profile.h"

namespace vmrun {

// "" or why `path` cannot go into a unit file (a control character: a
// newline would start a line of its own). Checked before systemd_unit.
std::string unit_path_problem(const std::string& path);

// `vmrun_binary` and `profile_path` absolute, without control characters.
// Pure: the caller prints it.
std::string systemd_unit(const Profile& profile, const std::string& vmrun_binary, const std::string& profile_path);

// vmrun@.service, the template a package installs: vmrun@NAME runs
// PROFILE_DIR/NAME.yaml. `vmrun_binary` and `profile_dir` absolute.
std::string systemd_template_unit(const std::string& vmrun_binary, const std::string& profile_dir);

}  // namespace vmrun
