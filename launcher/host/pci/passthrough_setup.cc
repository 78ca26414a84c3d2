#include "host/pci/passthrough_setup.h"

#include "host/pci/device_presence.h"
#include "host/pci/reset_method.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "host/pci/vfio_binder.h"

namespace vmrun {

std::vector<PciAddress> passthrough_addresses(const Profile& profile) {
    std::vector<PciAddress> out;
    for (const auto& x : profile.passthrough) out.push_back(x.host);
    return out;
}

std::vector<Failure> PassthroughInspection::problems(const ForceBind& force, bool display_handoff) const {
    std::vector<Failure> out;
    for (const auto& p : expansion.problems) out.push_back({p.what, p.fix});
    out.insert(out.end(), absent.begin(), absent.end());
    if (!vfio_loaded)
        out.push_back({"the vfio-pci driver is not loaded",
                       "modprobe vfio-pci (and list vfio-pci in /etc/modules-load.d/vfio.conf to keep it loaded)"});
    for (const auto& u : host_uses)
        if (!force.covers(u.kind) && !(display_handoff && u.display())) out.push_back({u.what, u.fix});
    return out;
}

std::vector<HostUse> PassthroughInspection::forced(const ForceBind& force) const {
    std::vector<HostUse> out;
    for (const auto& u : host_uses)
        if (force.covers(u.kind)) out.push_back(u);
    return out;
}

PassthroughInspection inspect_passthrough(const std::string& sysroot, const std::vector<PciAddress>& listed,
                                          const ExclusiveOpenCheck& exclusive_open) {
    PassthroughInspection out;
    auto host = read_pci_functions(sysroot);
    out.expansion = expand_iommu_groups(listed, host);
    out.vfio_loaded = vfio_driver_loaded(sysroot);
    if (out.expansion.groups.empty()) return out;
    HostUseFinder finder(sysroot, exclusive_open);
    for (const auto& g : out.expansion.groups)
        for (const auto& f : g.to_bind) {
            if (auto gone = absent_device(sysroot, f.address, f.physfn)) out.absent.push_back(std::move(*gone));
            for (auto& w : reset_warnings(sysroot, f)) out.reset_warnings.push_back(std::move(w));
            auto found = finder.find(f);
            for (auto& u : found.uses) out.host_uses.push_back(std::move(u));
            for (auto& u : found.unverified) out.unverified.push_back(std::move(u));
        }
    return out;
}

PassthroughInspection inspect_passthrough(const std::string& sysroot, const std::vector<PciAddress>& listed) {
    return inspect_passthrough(sysroot, listed, kernel_exclusive_open(sysroot));
}

std::optional<Failure> bind_passthrough(const std::string& sysroot, const GroupExpansion& expansion, Journal& journal,
                                        std::optional<DeviceOwner> owner) {
    for (const auto& g : expansion.groups) {
        for (const auto& f : g.to_bind)
            if (auto failure = bind_to_vfio(sysroot, f, journal)) return failure;
        if (owner) {
            // The node goes away with the last vfio-bound device of its group, so nothing to undo.
            auto node = std::filesystem::path(sysroot) / "dev/vfio" / std::to_string(g.group);
            if (::chown(node.c_str(), owner->uid, owner->gid) != 0)
                return Failure{"cannot hand " + node.string() + " to the run_as user: " + std::strerror(errno), "", node.string()};
        }
    }
    return std::nullopt;
}

}  // namespace vmrun
