#pragma once
// A VM's two folders and what lives in them. The runtime folder (0700) holds
// the sockets, pids and the lock, and is gone when the VM is; the state folder
// keeps the journal, the log, the console log, the OVMF VARS copy and how the
// last run ended.

#include <sys/types.h>

#include <optional>
#include <string>

namespace vmrun {

struct RunFolder {
    std::string name;
    std::string runtime_dir, state_dir;

    std::string qmp_socket() const { return runtime_dir + "/qmp.sock"; }
    std::string events_socket() const { return runtime_dir + "/events.sock"; }
    std::string console_socket() const { return runtime_dir + "/console.sock"; }
    std::string supervisor_socket() const { return runtime_dir + "/supervisor.sock"; }
    std::string console_log() const { return state_dir + "/console.log"; }
    // Beside the runtime folder, not in it: cleaning up after a crashed run
    // removes the folder while the new run holds the lock. The empty file
    // stays (it is the lock's identity; unlinking a held lock invites a race).
    std::string lock_file() const { return runtime_dir + ".lock"; }
    std::string supervisor_pid_file() const { return runtime_dir + "/supervisor.pid"; }
    std::string qemu_pid_file() const { return runtime_dir + "/qemu.pid"; }
    std::string journal_file() const { return state_dir + "/journal"; }
    std::string log_file() const { return state_dir + "/vmrun.log"; }
    std::string last_exit_file() const { return state_dir + "/last-exit.json"; }
};

RunFolder run_folder_for(const std::string& name);

// Creates both folders, private to their owner. Returns an error text or "".
std::string create_folders(const RunFolder& f);

// The single-instance lock. Held by the supervisor for the VM's lifetime
// (flock on an O_CLOEXEC fd, so QEMU never inherits it and a dead
// supervisor's lock frees itself).
class InstanceLock {
public:
    // Takes the lock, or says who holds it.
    static std::optional<InstanceLock> acquire(const RunFolder& f, pid_t& holder);
    InstanceLock(InstanceLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    ~InstanceLock();
    // Records `pid` as the supervisor's (after a fork the child calls it).
    void write_pid(const RunFolder& f, pid_t pid) const;


private:
    explicit InstanceLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// True while some supervisor holds the VM's lock; `holder` is its pid.
bool vm_running(const RunFolder& f, pid_t& holder);

std::optional<pid_t> read_pid_file(const std::string& path);

}  // namespace vmrun
