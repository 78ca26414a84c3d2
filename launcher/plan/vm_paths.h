#pragma once
// Every file and socket name of one VM, derived in this one place from its two
// folders. The runtime folder (0700) holds the sockets, pids and is gone when
// the VM is; the state folder keeps the journal, the log, the console log, the
// OVMF VARS copy and how the last run ended. Where the folders are is the
// caller's business (run/vm_folders picks them for the CLI; tests pick their own).

#include <string>
#include <vector>

namespace vmrun {

struct VmPaths {
    std::string name;
    std::string runtime_dir, state_dir;

    // QEMU serves one client per monitor socket: commands and the event stream
    // get one each, so 'vmrun events' never blocks 'vmrun hotplug'. The
    // supervisor has a monitor of its own, so a user's session on qmp.sock can
    // never stand between Ctrl-C and the guest's ACPI power-off.
    std::string qmp_socket() const { return runtime_dir + "/qmp.sock"; }
    std::string events_socket() const { return runtime_dir + "/events.sock"; }
    std::string supervisor_socket() const { return runtime_dir + "/supervisor.sock"; }
    std::string console_socket() const { return runtime_dir + "/console.sock"; }
    std::string agent_socket() const { return runtime_dir + "/agent.sock"; }  // the guest agent's port (QEMU serves it)
    std::vector<std::string> monitor_sockets() const { return {qmp_socket(), events_socket(), supervisor_socket()}; }
    // The longest socket name here; a unix socket path holds at most 107 bytes.
    size_t longest_socket_path() const { return runtime_dir.size() + std::string("/supervisor.sock").size(); }
    // Beside the runtime folder, not in it: cleaning up after a crashed run
    // removes the folder while the new run holds the lock. The empty file
    // stays (it is the lock's identity; unlinking a held lock invites a race).
    std::string lock_file() const { return runtime_dir + ".lock"; }
    // Beside it, shared by every VM: changes to the kernel's huge page pools, one at a time.
    std::string hugepage_lock_file() const {
        auto slash = runtime_dir.rfind('/');
        return (slash == std::string::npos ? std::string(".") : runtime_dir.substr(0, slash)) + "/hugepages.lock";
    }
    std::string supervisor_pid_file() const { return runtime_dir + "/supervisor.pid"; }
    std::string qemu_pid_file() const { return runtime_dir + "/qemu.pid"; }
    std::string input_replug_file() const { return runtime_dir + "/input-replug.json"; }  // inputs away, dead input objects
    // A hugetlbfs of vmrun's own, when the profile allocates pages of a size nobody mounted.
    std::string hugetlbfs_dir() const { return runtime_dir + "/hugepages"; }
    // The profile this run was started from (its path and the text read then):
    // 'hotplug --persist' edits that file only while it still says the same.
    std::string started_profile_file() const { return runtime_dir + "/profile.json"; }
    std::string swtpm_socket() const { return runtime_dir + "/swtpm.sock"; }  // swtpm's control channel
    // For 'vmrun status': whether the guest's TPM still has its swtpm.
    std::string swtpm_pid_file() const { return runtime_dir + "/swtpm.pid"; }
    // vmrun's copy of the audio user's PulseAudio cookie: QEMU (root) is never
    // handed a path the user controls.
    std::string pulse_cookie_copy() const { return runtime_dir + "/pulse-cookie"; }
    // A shared folder's vhost-user socket (vmrun listens, virtiofsd serves,
    // QEMU connects) and its pid, by the folder's place in the profile: a
    // short name whatever the tag. The empty folder is where virtiofsd's own
    // mount namespace shows the shared one.
    std::string virtiofs_socket(size_t index) const { return runtime_dir + "/virtiofs" + std::to_string(index) + ".sock"; }
    std::string virtiofsd_pid_file(size_t index) const { return runtime_dir + "/virtiofsd" + std::to_string(index) + ".pid"; }
    std::string virtiofs_root(size_t index) const { return runtime_dir + "/virtiofs" + std::to_string(index) + ".root"; }

    std::string console_log() const { return state_dir + "/console.log"; }  // this boot's serial output
    std::string journal_file() const { return state_dir + "/journal"; }
    std::string log_file() const { return state_dir + "/vmrun.log"; }
    std::string last_exit_file() const { return state_dir + "/last-exit.json"; }
    std::string ovmf_vars() const { return state_dir + "/OVMF_VARS.fd"; }
    // The TPM's state (its seeds, BitLocker's and Windows Hello's keys): kept across starts.
    std::string tpm_state_dir() const { return state_dir + "/tpm"; }
    std::string swtpm_log() const { return state_dir + "/swtpm.log"; }
    std::string virtiofsd_log(const std::string& tag) const { return state_dir + "/virtiofsd-" + tag + ".log"; }
};

}  // namespace vmrun
