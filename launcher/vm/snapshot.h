#pragma once
// vmrun snapshot: a VM's snapshots. Off: internal qcow2 snapshots of each
// writable disk with qemu-img (all disks or none: a failure halfway removes
// what was made). Running without passthrough: the whole VM — disks, RAM and
// devices — with QMP's snapshot-save/-load/-delete jobs. Running with a
// VFIO device (whose state cannot be saved): only its disks, asked for with
// --disk-only, in one QMP transaction of internal snapshots, the guest's
// filesystems frozen around it by its guest agent when it has one.

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "plan/vm_paths.h"

namespace vmrun {

enum class SnapshotAction { create, list, revert, remove };

struct SnapshotRequest {
    VmPaths vm;
    std::string profile_path;  // needed when the VM is off; "" when not known
    SnapshotAction action = SnapshotAction::list;
    std::string tag;           // create, revert, remove
    bool disk_only = false;    // create of a running VM: its disks alone (a VM with passthrough)
};

struct SnapshotInfo {
    std::string tag;
    long long date = 0;            // seconds since the epoch
    unsigned long long vm_state = 0;  // bytes of RAM and device state (0: disks only)
    std::vector<std::string> disks;   // the disk ids holding it
};

struct SnapshotOutcome {
    bool live = false;                 // the VM was running
    std::vector<SnapshotInfo> snapshots;  // list
    std::string done;                  // what was done, for a person
    std::optional<Failure> failure;
};

SnapshotOutcome run_snapshot(const SnapshotRequest& request);

}  // namespace vmrun
