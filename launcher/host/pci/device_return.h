#pragma once
// A device coming back to the host after a VM: whether it still answers, one
// attempt to revive it when it does not, and what the host shows of a GPU that
// should be its own again. A GPU left in D3cold or wedged by a failed reset
// reads 0xffff; removing it from the bus and rescanning brings some back (the
// kernel powers the slot up and enumerates it afresh). What does not come back
// needs a reboot — and must never be mistaken for a GPU the desktop can use:
// a display manager started on it ends on a black screen with no console.

#include <string>

#include "base/pci_address.h"

namespace vmrun {

struct DeviceReturn {
    bool answers = true;    // config space reads a vendor id (or cannot be read: a simulated tree)
    bool rescanned = false; // remove + rescan was tried
    std::string text;       // what happened, for the report; "" when it answered at once
};

// Reads the function's config space; when it reads 0xffff, writes 1 to its
// `remove` and to the bus's `rescan` once and reads it again (bounded).
DeviceReturn bring_back_if_dead(const std::string& sysroot, const PciAddress& address);

// What the host shows of a GPU now: its driver and its DRM node, or
// /dev/nvidiaN under nvidia without nvidia_drm. "" where there is none.
struct GpuOnHost {
    std::string driver;
    std::string node;
    std::string describe(const PciAddress& address) const;  // "0000:01:00.0 is back on nvidia (/dev/dri/card0)"
    bool back() const { return !driver.empty() && driver != "vfio-pci" && !node.empty(); }
};

// Waits (bounded) for udev to make the node the driver registered, then reads.
GpuOnHost gpu_on_host(const std::string& sysroot, const PciAddress& address);

}  // namespace vmrun
