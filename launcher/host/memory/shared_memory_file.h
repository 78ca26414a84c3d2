#pragma once
// Looking Glass's shared-memory file (/dev/shm/looking-glass-NAME): made
// before QEMU starts (journaled first), owned by the desktop user who runs the
// client, mode 0660 with QEMU's group, and removed when the VM ends. A file
// already there is used only when it belongs to that user (a tmpfiles.d rule
// made it) and is then left as it was.

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
    uid_t uid = 0;  // the file's owner: the client's user
    gid_t gid = 0;  // its group: QEMU's (run_as's) when QEMU drops privileges, else the owner's
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
