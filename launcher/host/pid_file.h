#pragma once
// Pid files that name one process: "PID START_TIME", so a pid the kernel
// has since given to another process is not mistaken for the one written.

#include <sys/types.h>

#include <optional>
#include <string>

namespace vmrun {

// The number in a pid file, as written; for display and tests.
std::optional<pid_t> read_pid_file(const std::string& path);
// "PID START_TIME": a pid file that names one process even after its pid is reused.
void write_pid_file(const std::string& path, pid_t pid);
// The pid, only while that very process (same start time) runs.
std::optional<pid_t> read_live_pid(const std::string& path);

}  // namespace vmrun
