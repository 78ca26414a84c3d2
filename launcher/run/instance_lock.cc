#include "run/instance_lock.h"

#include "host/process_watch.h"
#include "host/private_dir.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace vmrun {

std::optional<InstanceLock> InstanceLock::acquire(const VmPaths& f, pid_t& holder, std::optional<Failure>& problem) {
    holder = 0;
    problem = make_private_dir(fs::path(f.lock_file()).parent_path().string());
    if (problem) return std::nullopt;
    std::string error;
    auto lock = FileLock::take(f.lock_file(), std::chrono::milliseconds(0), error);
    if (!lock.held()) {
        if (!error.empty()) problem = Failure{error, "", f.lock_file()};
        else holder = read_live_pid(f.supervisor_pid_file()).value_or(0);
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
