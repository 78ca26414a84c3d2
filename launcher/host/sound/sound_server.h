#pragma once
// The host's side of guest audio: who the sound server belongs to (read before
// planning), and what would make QEMU's audio fail (checked before anything
// changes): no server socket, no PulseAudio cookie, no QEMU audio driver, no
// ALSA device. Nothing here changes the host.

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "plan/host_facts.h"
#include "plan/launch_plan.h"

namespace vmrun {

// From the passwd database; the PulseAudio cookie in the user's home when it is there.
std::optional<UserFacts> read_user_facts(const std::string& name);

// The users a profile's audio names, into `facts.users`.
void read_audio_facts(HostFacts& facts, const Profile& profile);

std::vector<Failure> sound_problems(const LaunchPlan& plan);

// The PulseAudio cookie's bytes, read by vmrun itself and never by name on
// QEMU's behalf: opened with O_NOFOLLOW, a regular file of at most 256 bytes,
// owned by the audio user when the profile names one (a link the user points
// at root's file is refused).
struct PulseCookie {
    std::string bytes;
    std::optional<Failure> failure;  // why it cannot be used (where: the cookie's path)
};
PulseCookie read_pulse_cookie(const LaunchPlan& plan);

// Writes the cookie's bytes to the VM's own copy (created 0600 in the runtime
// folder, never through a link), which QEMU is given.
std::optional<Failure> copy_pulse_cookie(const LaunchPlan& plan);

}  // namespace vmrun
