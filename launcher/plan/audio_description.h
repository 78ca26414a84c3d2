#pragma once

#include <string>

#include "plan/launch_plan.h"

namespace vmrun {

// For --dry-run and check: what the audio will do, in one line.
std::string describe_audio(const AudioPlan& audio);

}  // namespace vmrun
