#include "run/instance_lock.h"

#include "host/process_watch.h"
#include "run/private_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <cerrno>
#include <cstring>
#include <fstream>


namespace fs = std::filesystem;

namespace vmrun {

std::optional<pid_t> read_pid_file(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    if (in >> pid && pid > 0 && pid <= INT32_MAX) return pid_t(pid);
    return std::nullopt;
}

void write_pid_file(const std::string& path, pid_t pid) {
    std::ofstream(path) << pid << " " << process_start_time(pid).value_or(0) << "\n";
}

std::optional<pid_t> read_live_pid(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    uint64_t started = 0;
    if (!(in >> pid >> started) || pid <= 0 || pid > INT32_MAX || started == 0) return std::nullopt;
    if (!process_alive(pid_t(pid), started)) return std::nullopt;
    return pid_t(pid);
}

std::optional<InstanceLock> InstanceLock::acquire(const VmPaths& f, pid_t& holder, std::string& problem) {
    holder = 0;
    problem.clear();
    if (auto err = make_private_dir(fs::path(f.lock_file()).parent_path().string()); !err.empty()) {
        problem = err;
        return std::nullopt;
    }
    int fd = ::open(f.lock_file().c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        problem = "cannot open the lock " + f.lock_file() + ": " + std::strerror(errno);
        return std::nullopt;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        holder = read_live_pid(f.supervisor_pid_file()).value_or(0);
        return std::nullopt;
    }
    return InstanceLock(fd);
}

InstanceLock::~InstanceLock() {
    if (fd_ >= 0) ::close(fd_);
}

void InstanceLock::write_pid(const VmPaths& f, pid_t pid) const {
    write_pid_file(f.supervisor_pid_file(), pid);
}

bool vm_running(const VmPaths& f, pid_t& holder) {
    holder = 0;
    int fd = ::open(f.lock_file().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
    ::close(fd);
    if (held) holder = read_live_pid(f.supervisor_pid_file()).value_or(0);
    return held;
}

}  // namespace vmrun
