#pragma once
// What the host itself is using a PCI device for — the reasons vmrun refuses
// to take it away: the boot GPU carrying the console; a disk (or anything
// stacked on it) mounted, used as swap, held by LVM/LUKS/md/bcache, or open
// in a program — and, beyond what the tables show, any disk the kernel
// itself reports claimed; the NIC carrying the default route; a GPU whose
// /dev/dri or /dev/nvidia* nodes a process holds open. Taking such a device
// hangs the desktop, the host, or the SSH session that started vmrun, or
// corrupts a filesystem. Read through a sysroot (sys/, proc/); changes nothing.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.h"
#include "host/block/block_users.h"
#include "host/block/exclusive_open.h"
#include "host/open_handles.h"
#include "host/pci/pci_sysfs.h"
#include "plan/force_bind.h"

namespace vmrun {

// A reason the host still uses a function: a Failure whose where is the
// function's address, and the kind --force-bind=KIND names.
struct HostUse : Failure {
    PciAddress address;
    HostUseKind kind = HostUseKind::disk;
    // The host's display holds it (the console on the boot GPU, a program with
    // its /dev/dri nodes open): what host_display's handoff releases at start.
    bool display() const { return kind == HostUseKind::console || kind == HostUseKind::gpu_holders; }
};

inline HostUse host_use(const PciAddress& address, std::string what, std::string fix, HostUseKind kind = HostUseKind::disk) {
    return {{std::move(what), std::move(fix), address.str()}, address, kind};
}

// The device nodes a GPU is used through: /dev/dri/cardN and renderDN below
// it, and with the nvidia driver its own /dev/nvidiaN — the minor the driver
// reports in /proc/driver/nvidia/gpus/ADDR/information, so a process on
// another NVIDIA card is not counted — or every /dev/nvidia* node when the
// driver does not say.
struct DisplayNodes {
    std::set<std::string> dri;
    bool nvidia = false;
    std::string nvidia_node;  // "/dev/nvidia1"; empty when unknown
    bool matches(const std::string& node) const {
        if (dri.count(node)) return true;
        if (!nvidia) return false;
        return nvidia_node.empty() ? node.rfind("/dev/nvidia", 0) == 0 : node == nvidia_node;
    }
};
DisplayNodes display_nodes_of(const std::string& sysroot, const PciAddress& address);
// The "Device Minor:" number of that information file's text; "" when it has none.
std::string parse_nvidia_minor(std::string_view information);

// Reads the host's tables once for every function asked about.
class HostUseFinder {
public:
    HostUseFinder(std::string sysroot, ExclusiveOpenCheck exclusive_open);

    struct Found {
        std::vector<HostUse> uses;
        // Block devices the kernel could not be asked about (no node): not a
        // refusal — the tables were still read — but said, so it is not silent.
        std::vector<HostUse> unverified;
    };
    Found find(const PciFunction& function) const;

private:
    void add_block_uses(const PciFunction& f, Found& out) const;

    std::string sysroot_;
    ExclusiveOpenCheck exclusive_open_;
    OpenHandles handles_;
    BlockUsers block_users_;
};

}  // namespace vmrun
