#pragma once
// What `vmrun hotplug` sends, decided from what QEMU reports — pure, so the
// choice of root port and every QMP argument is testable without a VM.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/pci_address.h"

namespace vmrun {

using Json = nlohmann::json;

struct RootPortState {
    std::string id;                      // qdev id (rp3)
    std::vector<std::string> occupants;  // qdev ids of devices behind it
};

// The root ports in a query-pci answer (PCI bridges on bus 0 with an id),
// with what sits behind each.
std::vector<RootPortState> root_ports_in(const Json& query_pci);
// The first empty one, in id order (rp1 < rp2 < rp10).
std::optional<std::string> first_free_port(const std::vector<RootPortState>& ports);
// True when query-pci lists a device with this qdev id anywhere.
bool pci_has_device(const Json& query_pci, const std::string& id);

struct QmpCall {
    std::string command;
    Json arguments;
};

struct HotplugSteps {
    std::vector<QmpCall> backends;  // blockdev-add / netdev_add, before the device
    QmpCall device;                 // device_add
    std::vector<QmpCall> undo;      // removes the backends if device_add fails
};

enum class HotplugDiskBus { virtio, nvme };

struct DiskHotplug {
    std::string id, path;
    std::string format = "raw";  // raw | qcow2
    bool readonly = false;
    bool block_device = false;   // /dev/...: host_device instead of file
    HotplugDiskBus bus = HotplugDiskBus::virtio;
};
HotplugSteps disk_hotplug(const DiskHotplug& d, const std::string& port);

struct NicHotplug {
    std::string id, mac;
    std::string model = "virtio-net-pci";
};
HotplugSteps user_nic_hotplug(const NicHotplug& n, const std::string& port);
// A tap NIC whose open tap fd was passed to QEMU as `fdname` (getfd).
HotplugSteps tap_nic_hotplug(const NicHotplug& n, const std::string& port, const std::string& fdname, bool vhost);

// usb-host on the VM's xhci controller, by vendor:product (any port it is
// plugged into) or by bus.address (that one device, when two share an id).
HotplugSteps usb_hotplug(const std::string& id, uint16_t vendor, uint16_t product);
HotplugSteps usb_hotplug_at(const std::string& id, int bus, int addr);
// A bare qemu-xhci controller (id "xhci"), for VMs whose profile had no USB.
HotplugSteps usb_controller_hotplug(const std::string& port);

// A raw "driver,prop=val" device. Goes into `port` unless it names a bus.
// Returns nullopt with `error` set when the text is not a device.
std::optional<HotplugSteps> raw_device_hotplug(const std::string& text, const std::string& id, const std::string& port,
                                               std::string& error);

// Host PCI functions of one slot (already on vfio-pci) into one root port,
// as functions 0, 1, ... of one guest slot. Functions other than 0 go first:
// QEMU announces the slot to the guest when function 0 arrives.
struct HostFunctionHotplug {
    std::string id;
    PciAddress host;
};
std::vector<QmpCall> host_pci_hotplug(std::vector<HostFunctionHotplug> functions, const std::string& port);

// The first of stem0, stem1, ... not in `taken`.
std::string unused_id(const std::string& stem, const std::vector<std::string>& taken);

}  // namespace vmrun
