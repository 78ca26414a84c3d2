#pragma once
// An exclusive flock(2) on a file of vmrun's own: a VM's instance lock and the
// host's huge page pool lock. The file is opened O_NOFOLLOW (a link planted in
// its place is refused) and O_CLOEXEC (QEMU and swtpm never inherit the lock),
// and a holder that dies lets go with its last descriptor.

#include <chrono>
#include <string>

#include "base/owned_fd.h"

namespace vmrun {

class FileLock {
public:
    FileLock() = default;

    // Creates `path` (0600) when missing and takes the lock, trying again for
    // up to `wait` while another process holds it. When the lock is not held
    // afterwards, `error` says what went wrong, or is empty when another
    // holder kept it all along.
    static FileLock take(const std::string& path, std::chrono::milliseconds wait, std::string& error);

    bool held() const { return bool(fd_); }
    void release() { fd_.reset(); }

private:
    explicit FileLock(OwnedFd fd) : fd_(std::move(fd)) {}
    OwnedFd fd_;
};

// Whether some process holds the lock on `path` now (false when the file is missing).
bool file_locked(const std::string& path);

}  // namespace vmrun
