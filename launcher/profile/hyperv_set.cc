#include "profile/hyperv_set.h"

namespace vmrun {

const std::vector<HypervFeature>& hyperv_set() {
    // stimer-direct is libvirt's <stimer><direct/></stimer>: "stimer/direct".
    static const std::vector<HypervFeature> set = {
        {"hv-relaxed", "on", "relaxed"},       {"hv-vapic", "on", "vapic"},
        {"hv-spinlocks", "0x1fff", "spinlocks"}, {"hv-time", "on", ""},
        {"hv-vpindex", "on", "vpindex"},       {"hv-synic", "on", "synic"},
        {"hv-stimer", "on", "stimer"},         {"hv-stimer-direct", "on", "stimer/direct"},
        {"hv-reset", "on", "reset"},           {"hv-frequencies", "on", "frequencies"},
        {"hv-tlbflush", "on", "tlbflush"},     {"hv-ipi", "on", "ipi"},
    };
    return set;
}

}  // namespace vmrun
