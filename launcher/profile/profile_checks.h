#pragma once
// Rules that span more than one key: duplicates, conflicting options, and the
// defaults that depend on other keys (device ids, stable MACs). Runs after the
// loader; adds to the same diagnostics.

#include "profile/diagnostics.h"
#include "profile/profile.h"

namespace vmrun {

void complete_and_check_profile(Profile& profile, Diagnostics& diags);

}  // namespace vmrun
