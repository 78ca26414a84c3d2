#pragma once
// The one routine that moves a VM's host functions to vfio-pci: vmrun start,
// vmrun bind and hotplug --pci all bind through it, so a fix to binding is
// made once. In order: the PFs' virtual functions are made (only then do
// their IOMMU groups exist), the host is read again (it may have changed
// since the caller's preview), every refusal comes before the first bind,
// the VFs' network settings go onto their PFs (the guest's driver reads them
// when it starts), then every function of the planned groups goes to
// vfio-pci — each step under the journal, whose replay undoes what was done.

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "host/journal.h"
#include "host/pci/host_usage.h"
#include "host/pci/passthrough_setup.h"
#include "plan/launch_plan.h"

namespace vmrun {

struct BindRequest {
    std::string sysroot;
    std::vector<PciAddress> functions;  // every function asked for, VFs still to be made included
    std::vector<SriovPlan> sriov;       // PFs whose VFs are made first
    std::vector<VfNetPlan> vf_net;      // VF settings set on their PFs before the bind
    ForceBind force;                    // host uses the user chose to override
    std::optional<DeviceOwner> owner;   // QEMU's user when it is not root (run_as)
};

struct BoundFunction {
    PciAddress address;
    std::string was_driver;  // "" when it had none
    int group = -1;
};

struct BindResult {
    std::vector<Failure> refusals;  // nothing was bound (VFs made are in the journal)
    std::optional<Failure> failure;     // a change failed halfway; the journal's replay undoes it
    std::vector<std::string> warnings;  // disks the kernel could not be asked about, host uses taken by --force-bind
    std::vector<std::string> done;      // what changed besides the binds (VFs made, VF settings)
    std::vector<BoundFunction> bound;
    bool ok() const { return refusals.empty() && !failure; }
};

BindResult bind_functions(const BindRequest& request, Journal& journal);

}  // namespace vmrun
