#pragma once
// Looking Glass's shared-memory file (/dev/shm/looking-glass-NAME): made
// before QEMU starts (journaled first), root's, mode 0660 in the group of the
// desktop user who runs the client, and removed when the VM ends. Root's, not
// the user's: logind (RemoveIPC=yes) deletes a user's files in /dev/shm when
// the user's last session ends, and in the sticky /dev/shm only the owner can
// rename or remove the file QEMU maps. QEMU needs no permission on it: it
// inherits the descriptor vmrun opened. A file already there is used only
// when it is the user's own (a tmpfiles.d rule made it) or root's in the
// user's group, and is then left as it was.

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/owned_fd.h"
#include "base/failure.h"
#include "host/journal.h"
#include "plan/launch_plan.h"

namespace vmrun {

struct ShmAccess {
    uid_t user = 0;  // the client's user (0 when it is root)
    gid_t group = 0; // that user's group: the file's
    // A file already there that the client can use and only it and root can change.
    bool accepts(uid_t file_uid, gid_t file_gid) const {
        return file_uid == user || (file_uid == 0 && file_gid == group);
    }
};

// Who the file belongs to, from the plan's owner and the profile's run_as;
// nullopt with `problem` set when a user does not exist.
std::optional<ShmAccess> shm_access(const LaunchPlan& plan, Failure& problem);

// What stops the file being made or used, before anything changes.
std::vector<Failure> shared_memory_problems(const LaunchPlan& plan);

// The file as vmrun opened it, for QEMU to inherit: QEMU never opens it by a
// name its owner could have swapped for a link to one of root's files.
struct SharedMemoryFile {
    std::optional<Failure> failure;  // where: the file
    OwnedFd fd;  // none when there is no file to make (no Looking Glass, or kvmfr)
};

// Makes (or takes) the file and opens it. The journal's replay removes a file it made.
SharedMemoryFile prepare_shared_memory(const LaunchPlan& plan, Journal& journal);

// The undo of a "shm-file" entry: removes the file when it is still a regular
// file named looking-glass-NAME for this VM.
std::string check_shm_entry(const std::string& vm_name, const nlohmann::json& args);
UndoOutcome remove_shm_file(const nlohmann::json& args);

}  // namespace vmrun
