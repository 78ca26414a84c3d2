#include "host/process_watch.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vmrun {

int open_pidfd(pid_t pid) {
    return int(::syscall(SYS_pidfd_open, pid, 0));
}

std::optional<ProcStat> parse_proc_stat(const std::string& stat) {
    // The command name may hold spaces and ')': fields resume after the last ')'.
    auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size()) return std::nullopt;
    std::istringstream fields(stat.substr(close + 2));
    ProcStat out;
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i) {
        if (i == 3) out.state = field[0];
        if (i == 22) {
            auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), out.start_time);
            if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
            return out;
        }
    }
    return std::nullopt;
}

namespace {

std::optional<ProcStat> read_stat(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return std::nullopt;
    return parse_proc_stat(stat);
}

}  // namespace

std::optional<uint64_t> process_start_time(pid_t pid) {
    auto s = read_stat(pid);
    return s ? std::optional<uint64_t>(s->start_time) : std::nullopt;
}

bool process_alive(pid_t pid, std::optional<uint64_t> start_time) {
    if (pid <= 0) return false;
    auto s = read_stat(pid);
    // A zombie has exited: it is only waiting to be reaped.
    if (!s || s->state == 'Z') return false;
    return !start_time || s->start_time == *start_time;
}

bool wait_process_exit(pid_t pid, std::chrono::milliseconds timeout) {
    int fd = open_pidfd(pid);
    if (fd < 0) return !process_alive(pid);
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, int(timeout.count()));
    ::close(fd);
    return r > 0 || !process_alive(pid);
}

bool process_has_open(pid_t pid, const std::string& path) {
    struct stat wanted {};
    if (::stat(path.c_str(), &wanted) != 0) return false;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        struct stat held {};
        if (::stat(e.path().c_str(), &held) == 0 && held.st_dev == wanted.st_dev && held.st_ino == wanted.st_ino) return true;
    }
    return false;
}

std::vector<pid_t> processes_where(const std::function<bool(pid_t)>& match) {
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
        auto name = e.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos || name.size() > 9) continue;
        pid_t pid = pid_t(std::stol(name));
        if (pid != ::getpid() && match(pid)) out.push_back(pid);
    }
    return out;
}

std::vector<std::string> process_cmdline(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    std::vector<std::string> argv;
    for (std::string arg; std::getline(in, arg, '\0');) argv.push_back(arg);
    return argv;
}

}  // namespace vmrun
