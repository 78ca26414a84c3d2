#pragma once
// The host side of a profile's passthrough list, in two steps so that every
// refusal comes before the first change:
//   inspect_passthrough — read the host (sysfs root), expand IOMMU groups,
//                         find what the host is using; changes nothing.
//   bind_passthrough    — move every function of the planned groups to
//                         vfio-pci under the journal, in group order.

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "base/failure.h"
#include "host/pci/host_usage.h"
#include "host/journal.h"
#include "host/pci/passthrough_groups.h"
#include "profile/profile.h"

namespace vmrun {

struct PassthroughInspection {
    GroupExpansion expansion;
    std::vector<HostUse> host_uses;   // of the functions that would be bound
    std::vector<HostUse> unverified;  // block devices the kernel could not be asked about
    std::vector<Failure> absent;      // functions that read as gone (device_presence): never forced
    std::vector<Failure> reset_warnings;  // no reset method, or an AMD GPU without vendor-reset (reset_method)
    bool vfio_loaded = false;

    // Everything that stops the bind; each host use only when its kind is not forced.
    // `display_handoff`: the display's hold on the boot GPU is released at start (host_display), so it is no problem.
    std::vector<Failure> problems(const ForceBind& force = {}, bool display_handoff = false) const;
    // The host uses --force-bind overrides here, for a warning: the user sees what they took.
    std::vector<HostUse> forced(const ForceBind& force) const;
};

// The host addresses a profile's passthrough list names, in profile order.
std::vector<PciAddress> passthrough_addresses(const Profile& profile);

// `exclusive_open` answers for the kernel; tests pass a simulated one.
PassthroughInspection inspect_passthrough(const std::string& sysroot, const std::vector<PciAddress>& listed,
                                          const ExclusiveOpenCheck& exclusive_open);
// Asks the real kernel (kernel_exclusive_open).
PassthroughInspection inspect_passthrough(const std::string& sysroot, const std::vector<PciAddress>& listed);

struct DeviceOwner {
    uid_t uid;
    gid_t gid;
};

// Binds the functions of every planned group (bridges stay). Returns the
// first failure, if any; the caller replays the journal to undo what was done.
// `owner`: QEMU runs as another user (run_as), who must be able to open /dev/vfio/N.
std::optional<Failure> bind_passthrough(const std::string& sysroot, const GroupExpansion& expansion, Journal& journal,
                                        std::optional<DeviceOwner> owner = std::nullopt);

}  // namespace vmrun
