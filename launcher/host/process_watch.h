#pragma once
// Watching processes that are not (or not only) our children, without
// polling: a pidfd becomes readable when its process exits.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmrun {

// pidfd_open(2); -1 when the process is gone (or the kernel is older than 5.3).
int open_pidfd(pid_t pid);

// The process's start time in clock ticks since boot (/proc/PID/stat field
// 22): with the pid it names one process, even after the pid is reused.
std::optional<uint64_t> process_start_time(pid_t pid);

// The fields of a /proc/PID/stat line vmrun reads; nullopt when it is not
// one. The command name inside it is the process's to choose.
struct ProcStat {
    char state = '?';         // field 3: R, S, Z, ...
    uint64_t start_time = 0;  // field 22
};
std::optional<ProcStat> parse_proc_stat(const std::string& line);

// True while `pid` runs and, when given, started at `start_time`.
bool process_alive(pid_t pid, std::optional<uint64_t> start_time = std::nullopt);

// Waits for `pid` to exit, at most `timeout`. True when it is gone.
bool wait_process_exit(pid_t pid, std::chrono::milliseconds timeout);

// Whether `pid` holds `path` open (the same file, by device and inode, behind
// one of /proc/PID/fd): a name or command line is the process's to choose,
// its open files are not. False when either is gone or cannot be read.
bool process_has_open(pid_t pid, const std::string& path);

// Its argv (/proc/PID/cmdline); empty when gone.
std::vector<std::string> process_cmdline(pid_t pid);

// Every process (but this one) for which `match` holds, from /proc.
std::vector<pid_t> processes_where(const std::function<bool(pid_t)>& match);

}  // namespace vmrun
