#pragma once
// YAML text -> Profile. Pure: the caller reads the file. Reports every problem
// (syntax, unknown keys, wrong types, malformed values) with its position;
// cross-field rules live in profile_checks.

#include <string>

#include "profile/diagnostics.h"
#include "profile/profile.h"

namespace vmrun {

struct LoadedProfile {
    Profile profile;
    Diagnostics diagnostics;
};

// `base_dir` resolves relative paths in the profile (disk images, kernel),
// so a profile works from whatever directory vmrun is started in.
LoadedProfile load_profile(const std::string& text, const std::string& file_name, const std::string& base_dir);

}  // namespace vmrun
