#pragma once
// One supervisor per VM: the lock that says so, and who holds it.

#include <sys/types.h>

#include <optional>
#include <string>

#include "plan/vm_paths.h"

namespace vmrun {

// The single-instance lock. Held by the supervisor for the VM's lifetime
// (flock on an O_CLOEXEC fd, so QEMU never inherits it and a dead
// supervisor's lock frees itself).
class InstanceLock {
public:
    // Takes the lock, or says who holds it.
    static std::optional<InstanceLock> acquire(const VmPaths& f, pid_t& holder);
    InstanceLock(InstanceLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    ~InstanceLock();
    // Records `pid` as the supervisor's (after a fork the child calls it).
    void write_pid(const VmPaths& f, pid_t pid) const;


private:
    explicit InstanceLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// True while some supervisor holds the VM's lock; `holder` is its pid.
bool vm_running(const VmPaths& f, pid_t& holder);

std::optional<pid_t> read_pid_file(const std::string& path);

}  // namespace vmrun
