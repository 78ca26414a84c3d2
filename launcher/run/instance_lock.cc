#include "run/instance_lock.h"

#include "host/process_watch.h"
#include "run/private_dir.h"

#include <filesystem>
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
    auto lock = FileLock::take(f.lock_file(), std::chrono::milliseconds(0), problem);
    if (!lock.held()) {
        if (problem.empty()) holder = read_live_pid(f.supervisor_pid_file()).value_or(0);
        return std::nullopt;
    }
    return InstanceLock(std::move(lock));
}

void InstanceLock::write_pid(const VmPaths& f, pid_t pid) const {
    write_pid_file(f.supervisor_pid_file(), pid);
}

std::string describe_holder(pid_t holder) {
    return holder > 0 ? " (supervisor pid " + std::to_string(holder) + ")" : " (its supervisor is still starting)";
}

bool vm_running(const VmPaths& f, pid_t& holder) {
    holder = 0;
    bool held = file_locked(f.lock_file());
    if (held) holder = read_live_pid(f.supervisor_pid_file()).value_or(0);
    return held;
}

}  // namespace vmrun
