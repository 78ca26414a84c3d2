#pragma once
// What `cpu.hyperv: true` turns on, listed once for QEMU's -cpu and libvirt's
// <hyperv>: the enlightenments Windows 10/11 use on KVM (QEMU's
// docs/system/i386/hyperv.rst), the later ones (tlbflush, ipi, stimer-direct)
// included — every kernel vmrun supports (5.15+) has them.

#include <string>
#include <vector>

namespace vmrun {

struct HypervFeature {
    std::string qemu;        // the -cpu property: hv-relaxed
    std::string qemu_value;  // "on", or the value (hv-spinlocks=0x1fff)
    std::string libvirt;     // the <hyperv> child; "" when libvirt says it elsewhere (hv-time is <timer name='hypervclock'>)
};

const std::vector<HypervFeature>& hyperv_set();

}  // namespace vmrun
