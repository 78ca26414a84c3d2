#pragma once
// A systemd unit that starts a VM at boot, headless, under vmrun's supervisor.

#include <string>

#include "profile/profile.h"

namespace vmrun {

// `vmrun_binary` and `profile_path` absolute. Pure: the caller prints it.
std::string systemd_unit(const Profile& profile, const std::string& vmrun_binary, const std::string& profile_path);

}  // namespace vmrun
