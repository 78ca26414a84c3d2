#pragma once
// Host suspend while a VM has a passed-through device kills the device for
// the guest: the GPU is powered down under a driver that never hears of it.
// While such a VM runs vmrun holds a logind "sleep" inhibitor in block mode
// (what `systemd-inhibit --what=sleep --mode=block` takes), so `systemctl
// suspend`, the lid and the desktop's idle policy refuse or wait instead.
//
// The lock is logind's fd; systemd-inhibit holds it for as long as the
// command it runs lives. That command reads a pipe only this process holds
// open (close-on-exec: QEMU does not inherit it): when the supervisor ends —
// cleanly or killed — the pipe closes, the command ends, and logind drops the
// lock. Nothing is left to undo, so there is no journal entry.

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>

#include "base/owned_fd.h"

namespace vmrun {

class SleepInhibitor {
public:
    SleepInhibitor() = default;
    SleepInhibitor(SleepInhibitor&& other) noexcept { *this = std::move(other); }
    SleepInhibitor& operator=(SleepInhibitor&& other) noexcept;
    ~SleepInhibitor() { release(); }

    // Takes the lock for the VM `vm_name`, and sees logind grant it; a host
    // without logind (no system bus, no systemd-inhibit) gets none, and
    // `problem` says why.
    static SleepInhibitor take(const std::string& vm_name);

    bool held() const { return bool(pipe_); }
    const std::string& problem() const { return problem_; }
    // Lets go of the lock and reaps systemd-inhibit (bounded).
    void release();

private:
    OwnedFd pipe_;  // the write end systemd-inhibit's command reads
    pid_t pid_ = -1;
    std::string problem_;
};

}  // namespace vmrun
