#include "run/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>


namespace fs = std::filesystem;

namespace vmrun {

std::optional<pid_t> read_pid_file(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    if (in >> pid && pid > 0) return pid_t(pid);
    return std::nullopt;
}

std::optional<InstanceLock> InstanceLock::acquire(const VmPaths& f, pid_t& holder) {
    holder = 0;
    std::error_code ec;
    fs::create_directories(fs::path(f.lock_file()).parent_path(), ec);
    int fd = ::open(f.lock_file().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return std::nullopt;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        holder = read_pid_file(f.supervisor_pid_file()).value_or(0);
        return std::nullopt;
    }
    return InstanceLock(fd);
}

InstanceLock::~InstanceLock() {
    if (fd_ >= 0) ::close(fd_);
}

void InstanceLock::write_pid(const VmPaths& f, pid_t pid) const {
    std::ofstream(f.supervisor_pid_file()) << pid << "\n";
}

bool vm_running(const VmPaths& f, pid_t& holder) {
    holder = 0;
    int fd = ::open(f.lock_file().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
    ::close(fd);
    if (held) holder = read_pid_file(f.supervisor_pid_file()).value_or(0);
    return held;
}

}  // namespace vmrun
