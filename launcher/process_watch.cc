#include "process_watch.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace vmrun {

int open_pidfd(pid_t pid) {
    return int(::syscall(SYS_pidfd_open, pid, 0));
}

std::optional<uint64_t> process_start_time(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return std::nullopt;
    // The command name may hold spaces and ')': fields resume after the last ')'.
    auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22) return std::stoull(field);
    return std::nullopt;
}

bool process_alive(pid_t pid, std::optional<uint64_t> start_time) {
    if (pid <= 0) return false;
    auto started = process_start_time(pid);
    if (!started) return false;
    // A zombie has exited: it is only waiting to be reaped.
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') return false;
    return !start_time || *started == *start_time;
}

bool wait_process_exit(pid_t pid, std::chrono::milliseconds timeout) {
    int fd = open_pidfd(pid);
    if (fd < 0) return !process_alive(pid);
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, int(timeout.count()));
    ::close(fd);
    return r > 0 || !process_alive(pid);
}

std::string process_name(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(in, name);
    return name;
}

}  // namespace vmrun
