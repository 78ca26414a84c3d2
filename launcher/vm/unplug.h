#pragma once
// vmrun unplug: device_del, then a wait for the guest to let go
// (DEVICE_DELETED), then the backends removed and host PCI functions given
// back to their drivers. Success is reported only once QEMU has said the
// device is gone.

#include <string>

#include "vm/change_log.h"
#include "vm/vm_target.h"

namespace vmrun {

struct UnplugRequest {
    std::string id;             // the device's (or evdev input's) id
    double timeout_s = 30;      // for the guest's answer
    bool persist = false;       // also take it out of the profile the VM started from
};

// Says on stderr why it refused or failed; returns the exit code.
int unplug(const VmTarget& target, const UnplugRequest& request, ChangeLog& report);

}  // namespace vmrun
