#include "host/pci/device_return.h"

#include <chrono>
#include <filesystem>

#include "host/pci/device_presence.h"
#include "host/pci/host_usage.h"
#include "host/pci/pci_sysfs.h"
#include "host/run_command.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace vmrun {

namespace {
constexpr auto kRescanLimit = 10s;   // a rescan enumerates the whole bus: seconds on a large host
constexpr auto kNodeLimit = 10s;     // udev's rule for a DRM node runs in well under a second
}  // namespace

DeviceReturn bring_back_if_dead(const std::string& sysroot, const PciAddress& address) {
    DeviceReturn out;
    // A VF's vendor id reads 0xffff by the specification: it is judged by its
    // PF, and never removed or rescanned itself (its PF's driver makes it).
    if (auto pf = parse_pci_address(symlink_name(pci_device_dir(sysroot, address) / "physfn"))) {
        if (read_presence(sysroot, *pf) != Presence::absent) return out;
        out.answers = false;
        out.text = address.str() + " did not come back: its physical function " + pf->str() +
                   " reads 0xffff; a reboot is needed";
        return out;
    }
    if (read_presence(sysroot, address) != Presence::absent) return out;
    out.rescanned = true;
    auto dev = pci_device_dir(sysroot, address);
    auto removed = write_attribute(dev / "remove", "1", kRescanLimit);
    auto rescanned = write_attribute(fs::path(sysroot) / "sys/bus/pci/rescan", "1", kRescanLimit);
    out.answers = wait_until([&] { return read_presence(sysroot, address) == Presence::answers; }, 2000ms);
    std::string tried = "its configuration space read 0xffff; removed from the bus and rescanned";
    if (!removed.empty()) tried += " (remove: " + removed + ")";
    if (!rescanned.empty()) tried += " (rescan: " + rescanned + ")";
    out.text = address.str() + (out.answers ? " came back: " + tried
                                            : " did not come back: " + tried + ", it still does not answer; a reboot is needed");
    return out;
}

std::string GpuOnHost::describe(const PciAddress& address) const {
    if (driver.empty()) return address.str() + " is on no driver";
    if (driver == "vfio-pci") return address.str() + " is still on vfio-pci";
    return address.str() + " is back on " + driver + (node.empty() ? ", without a display node yet" : " (" + node + ")");
}

GpuOnHost gpu_on_host(const std::string& sysroot, const PciAddress& address) {
    GpuOnHost out;
    out.driver = symlink_name(pci_device_dir(sysroot, address) / "driver");
    if (out.driver.empty() || out.driver == "vfio-pci") return out;
    // The driver registers its nodes in sysfs at probe; udev makes /dev's after.
    if (sysroot == "/" && !find_program("udevadm").empty())
        run_command({"udevadm", "settle", "--timeout=" + std::to_string(kNodeLimit.count())}, kNodeLimit + 2s);
    auto nodes = display_nodes_of(sysroot, address);
    std::error_code ec;
    for (const auto& n : nodes.dri)
        if (n.find("/card") != std::string::npos && fs::exists(fs::path(sysroot) / n.substr(1), ec)) out.node = n;
    if (out.node.empty() && nodes.nvidia && !nodes.nvidia_node.empty() && fs::exists(fs::path(sysroot) / nodes.nvidia_node.substr(1), ec))
        out.node = nodes.nvidia_node;
    return out;
}

}  // namespace vmrun
