#pragma once
// The host's side of guest audio: who the sound server belongs to (read before
// planning), and what would make QEMU's audio fail (checked before anything
// changes): no server socket, no PulseAudio cookie, no QEMU audio driver, no
// ALSA device. Nothing here changes the host.

#include <optional>
#include <string>
#include <vector>

#include "host/host_problem.h"
#include "plan/host_facts.h"
#include "plan/launch_plan.h"

namespace vmrun {

// From the passwd database; the PulseAudio cookie in the user's home when it is there.
std::optional<UserFacts> read_user_facts(const std::string& name);

// The users a profile's audio names, into `facts.users`.
void read_audio_facts(HostFacts& facts, const Profile& profile);

std::vector<HostProblem> sound_problems(const LaunchPlan& plan);

// For --dry-run and check: what the audio will do, in one line.
std::string describe_audio(const AudioPlan& audio);

}  // namespace vmrun
