#pragma once
// vmrun hotplug: a device added to a running VM — into a free reserved root
// port, backends first, then device_add, then a check that QEMU lists it.
// Nothing is left half-added: a failed device_add removes the backends it
// needed, and host PCI functions go back to their drivers.

#include <string>

#include "vm/change_log.h"
#include "vm/vm_target.h"

namespace vmrun {

enum class HotplugKind { disk, nic, usb, device, pci, input };

// "disk", "nic", "usb", "device", "pci", "input": the option that asks for it
// and the "kind" of its --json entry.
const char* hotplug_kind_name(HotplugKind kind);

struct HotplugRequest {
    HotplugKind kind = HotplugKind::disk;
    // disk: its path; nic: user or tap; usb: VENDOR:PRODUCT or BUS.ADDR;
    // device: 'driver,prop=val'; pci: ADDR[,ADDR...] of one slot; input: an evdev node.
    std::string value;
    std::string id;  // empty: one is chosen
    std::string format = "raw", model = "virtio", bridge;
    bool readonly = false, nvme = false;
    bool persist = false;  // also write it into the profile the VM started from
};

// Says on stderr why it refused or failed; returns the exit code.
int hotplug(const VmTarget& target, const HotplugRequest& request, ChangeLog& report);

}  // namespace vmrun
