#pragma once
// Host CPUs and which of them a thread may run on: the online set from sysfs
// (through a sysroot, so tests can simulate a bigger host), a thread's mask
// set with sched_setaffinity and read back from /proc/PID/task/TID/status.

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "base/failure.h"
#include "profile/profile.h"

namespace vmrun {

// SYSROOT/sys/devices/system/cpu/online; nullopt when unreadable.
std::optional<std::vector<int>> online_cpus(const std::string& sysroot);

// Every CPU a profile's pinning names must be online (`online`: nullopt = unreadable).
std::vector<Failure> pinning_problems(const std::optional<std::vector<int>>& online, const CpuPinning& pin,
                                          const std::string& source_file);
// The same against SYSROOT's online CPUs.
std::vector<Failure> check_pinning_cpus(const std::string& sysroot, const CpuPinning& pin, const std::string& source_file);

// Returns "" or the error, naming the thread.
std::string set_thread_cpus(pid_t tid, const std::vector<int>& cpus);

// Cpus_allowed_list of /proc/PID/task/TID/status, parsed; nullopt when the thread is gone.
std::optional<std::vector<int>> thread_cpus(pid_t pid, pid_t tid);

// The thread ids of a process, from /proc/PID/task.
std::vector<pid_t> threads_of(pid_t pid);

}  // namespace vmrun
