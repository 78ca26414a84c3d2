#pragma once
// One supervisor per VM: the lock that says so, and who holds it.

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/failure.h"
#include "host/file_lock.h"
#include "host/pid_file.h"
#include "plan/vm_paths.h"

namespace vmrun {

// The single-instance lock. Held by the supervisor for the VM's lifetime
// (flock on an O_CLOEXEC fd, so QEMU never inherits it and a dead
// supervisor's lock frees itself).
class InstanceLock {
public:
    // Takes the lock, or says who holds it (`holder`, 0 when unknown) or what
    // is wrong with the folder it lives in (`problem`).
    static std::optional<InstanceLock> acquire(const VmPaths& f, pid_t& holder, std::optional<Failure>& problem);
    // Records `pid` as the supervisor's (after a fork the child calls it).
    void write_pid(const VmPaths& f, pid_t pid) const;

private:
    explicit InstanceLock(FileLock lock) : lock_(std::move(lock)) {}
    FileLock lock_;
};

// True while some supervisor holds the VM's lock; `holder` is its pid (0 when
// its pid file cannot be trusted). Check the folders (check_folders) first.
bool vm_running(const VmPaths& f, pid_t& holder);

// " (supervisor pid N)", or, while a starting supervisor has not written its
// pid yet, " (its supervisor is still starting)".
std::string describe_holder(pid_t holder);

}  // namespace vmrun
