#include "host/pci/bind_functions.h"

#include "host/net/vf_settings.h"
#include "host/pci/reset_method.h"
#include "host/pci/sriov.h"

namespace vmrun {

BindResult bind_functions(const BindRequest& request, Journal& journal) {
    BindResult out;
    for (const auto& r : request.sriov)
        if (r.create()) {
            if (auto failure = create_virtual_functions(request.sysroot, r, journal)) {
                failure->what = "creating virtual functions failed: " + failure->what;
                out.failure = std::move(failure);
                return out;
            }
            out.done.push_back(r.pf.str() + " has " + std::to_string(r.needed) + " virtual functions");
        }
    auto inspection = inspect_passthrough(request.sysroot, request.functions);
    out.refusals = inspection.problems(request.force);
    if (!out.refusals.empty()) return out;
    for (const auto& u : inspection.unverified) out.warnings.push_back(u.what + " (" + u.fix + ")");
    for (const auto& w : inspection.reset_warnings) out.warnings.push_back(w.text());
    for (const auto& u : inspection.forced(request.force))
        out.warnings.push_back("--force-bind=" + std::string(host_use_kind_name(u.kind)) + ": taking it anyway: " + u.what);
    if (auto failure = apply_vf_net_settings(request.sysroot, request.vf_net, journal)) {
        failure->what = "setting a virtual function's network settings failed: " + failure->what;
        out.failure = std::move(failure);
        return out;
    }
    for (const auto& v : request.vf_net)
        out.done.push_back(v.pf_netdev + " VF " + std::to_string(v.index) + ": " + describe_vf_net(v.settings));
    // Before vfio-pci first resets it (when QEMU opens it), the reset that works.
    for (const auto& g : inspection.expansion.groups)
        for (const auto& f : g.to_bind) {
            if (auto failure = choose_vendor_reset(request.sysroot, f, journal)) {
                out.failure = std::move(failure);
                return out;
            }
            if (takes_vendor_reset(request.sysroot, f))
                out.done.push_back(f.address.str() + " resets through vendor-reset (reset_method device_specific) while the VM has it");
        }
    if (auto failure = bind_passthrough(request.sysroot, inspection.expansion, journal, request.owner)) {
        failure->what = "binding to vfio-pci failed: " + failure->what;
        out.failure = std::move(failure);
        return out;
    }
    for (const auto& g : inspection.expansion.groups)
        for (const auto& f : g.to_bind) out.bound.push_back({f.address, f.driver, g.group});
    return out;
}

}  // namespace vmrun
