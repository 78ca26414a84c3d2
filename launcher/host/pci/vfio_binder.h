#pragma once
// Moves PCI functions to vfio-pci by address and back — never by vendor:device
// id, which would also grab every identical device in the host (the three
// identical NVMe drives case). Each change is journaled before it is made.
//
// Bind:    driver_override := vfio-pci; unbind from the current driver;
//          drivers_probe; wait (bounded) for the driver link and /dev/vfio/GROUP.
// Restore: only when the device still shows what vmrun left — on vfio-pci with
//          driver_override=vfio-pci, or half-way there — and nothing holds its
//          /dev/vfio group: driver_override := what it was; unbind from
//          vfio-pci; drivers_probe (only if the device had a driver); verify
//          the original driver is back. A device on any other driver (the
//          kernel gave it back after a reboot, the user moved it) is left
//          alone, so a restore never unbinds a driver the host is using.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/failure.h"
#include "host/journal.h"
#include "host/pci/pci_sysfs.h"

namespace vmrun {

struct BindLimits {
    std::chrono::milliseconds driver_change{10000};
    std::chrono::milliseconds device_node{5000};
    std::chrono::milliseconds group_release{2000};  // restore: how long a process may still hold the group
    // One unbind, bind or drivers_probe write: a driver's probe or remove may
    // be slow (an NVMe waiting out a controller's timeouts), but not endless.
    std::chrono::milliseconds sysfs_write{60000};
};

// Journals {"pci-driver", {sysroot, address, driver, driver_override, group, left}}
// and binds `function` to vfio-pci. Returns what went wrong (where: its
// address), if anything; the caller replays the journal, which undoes the
// half-done bind too.
std::optional<Failure> bind_to_vfio(const std::string& sysroot, const PciFunction& function, Journal& journal,
                                    const BindLimits& limits = {});

// The undo of one "pci-driver" entry (host_restore registers it). Idempotent.
UndoOutcome restore_pci_driver(const nlohmann::json& args, const BindLimits& limits = {});

// Gives one device back to the driver the journal says it had before this VM
// took it (after an unplug), and marks it settled so that the VM's final
// replay leaves it alone. A device vmrun did not bind for this VM is left alone.
UndoOutcome release_device(Journal& journal, const std::string& address);

// Whether the vfio-pci driver is registered (module loaded or built in).
bool vfio_driver_loaded(const std::string& sysroot);

}  // namespace vmrun
