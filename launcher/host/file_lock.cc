#include "host/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace vmrun {

FileLock FileLock::take(const std::string& path, std::chrono::milliseconds wait, std::string& error) {
    error.clear();
    OwnedFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) {
        error = "cannot open the lock " + path + ": " + std::strerror(errno);
        return {};
    }
    // flock has no timeout of its own; a holder lets go within seconds when all is well.
    constexpr auto kRetry = std::chrono::milliseconds(100);
    for (auto waited = std::chrono::milliseconds(0); ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0; waited += kRetry) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            error = "cannot lock " + path + ": " + std::strerror(errno);
            return {};
        }
        if (waited >= wait) return {};
        std::this_thread::sleep_for(kRetry);
    }
    return FileLock(std::move(fd));
}

bool file_locked(const std::string& path) {
    OwnedFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    return fd && ::flock(fd.get(), LOCK_SH | LOCK_NB) != 0;
}

}  // namespace vmrun
