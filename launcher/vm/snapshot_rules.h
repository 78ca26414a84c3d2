#pragma once
// What a snapshot may be taken of, decided without a host. Pure.
//
// Internal qcow2 snapshots live inside each image: a raw disk has nowhere to
// keep one. A CD-ROM or read-only disk never changes, so it needs none. A
// running VM's devices are saved with its RAM — but a VFIO device's state
// cannot be (QEMU 7.2 has no migration for passed-through devices).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "profile/profile.h"

namespace vmrun {

// The disks a snapshot covers (writable, not CD-ROMs); a raw one among them is the failure.
struct SnapshotDisks {
    std::vector<Disk> disks;
    std::optional<Failure> failure;
};
SnapshotDisks snapshot_disks(const Profile& profile);

// The ids of the vfio-pci devices in a qom-list of /machine/peripheral.
std::vector<std::string> vfio_devices_in(const nlohmann::json& qom_list);

// A snapshot's name: what qemu-img and QMP take as a tag.
bool is_snapshot_tag(const std::string& tag);

}  // namespace vmrun
