#include "plan/hotplug_plan.h"

#include <algorithm>

#include "plan/qemu_option.h"

namespace vmrun {

namespace {

constexpr int kPciBridgeClass = 0x0604;

// QEMU's answer is read as it comes: a member of another shape than 7.2's
// counts as absent, rather than throwing after a device went in.
const Json* member(const Json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

std::optional<int64_t> integer(const Json& j, const char* key) {
    auto m = member(j, key);
    if (!m || !m->is_number_integer()) return std::nullopt;
    return m->get<int64_t>();
}

std::string text(const Json& j, const char* key) {
    auto m = member(j, key);
    return m && m->is_string() ? m->get<std::string>() : "";
}

void collect_ids(const Json& devices, std::vector<std::string>& out) {
    if (!devices.is_array()) return;
    for (const auto& d : devices) {
        if (auto id = text(d, "qdev_id"); !id.empty()) out.push_back(id);
        if (auto bridge = member(d, "pci_bridge"))
            if (auto inner = member(*bridge, "devices")) collect_ids(*inner, out);
    }
}

// rp2 before rp10.
bool port_order(const std::string& a, const std::string& b) {
    auto num = [](const std::string& s) {
        auto p = s.find_first_of("0123456789");
        return p == std::string::npos ? 0 : std::atoi(s.c_str() + p);
    };
    return std::pair(num(a), a) < std::pair(num(b), b);
}

}  // namespace

std::vector<RootPortState> root_ports_in(const Json& query_pci) {
    std::vector<RootPortState> out;
    for (const auto& bus : query_pci) {
        auto devices = member(bus, "devices");
        if (integer(bus, "bus") != 0 || !devices || !devices->is_array()) continue;
        for (const auto& d : *devices) {
            auto info = member(d, "class_info");
            if (!info || integer(*info, "class") != kPciBridgeClass) continue;
            std::string id = text(d, "qdev_id");
            if (id.empty()) continue;
            RootPortState rp{id, {}};
            if (auto bridge = member(d, "pci_bridge"))
                if (auto inner = member(*bridge, "devices")) collect_ids(*inner, rp.occupants);
            out.push_back(rp);
        }
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return port_order(a.id, b.id); });
    return out;
}

std::optional<std::string> first_free_port(const std::vector<RootPortState>& ports) {
    for (const auto& p : ports)
        if (p.occupants.empty()) return p.id;
    return std::nullopt;
}

bool pci_has_device(const Json& query_pci, const std::string& id) {
    std::vector<std::string> ids;
    for (const auto& bus : query_pci)
        if (auto devices = member(bus, "devices")) collect_ids(*devices, ids);
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

HotplugSteps disk_hotplug(const DiskHotplug& d, const std::string& port) {
    HotplugSteps s;
    std::string node = "drive-" + d.id;
    Json file = {{"driver", d.block_device ? "host_device" : "file"}, {"filename", d.path}};
    s.backends.push_back({"blockdev-add", {{"driver", d.format}, {"node-name", node}, {"read-only", d.readonly}, {"file", file}}});
    s.undo.push_back({"blockdev-del", {{"node-name", node}}});
    Json dev = {{"driver", d.bus == HotplugDiskBus::nvme ? "nvme" : "virtio-blk-pci"}, {"id", d.id}, {"drive", node},
                {"bus", port}, {"addr", "0"}};
    if (d.bus == HotplugDiskBus::nvme) dev["serial"] = d.id;
    s.device = {"device_add", dev};
    return s;
}

HotplugSteps user_nic_hotplug(const NicHotplug& n, const std::string& port) {
    HotplugSteps s;
    std::string netdev = "netdev-" + n.id;
    s.backends.push_back({"netdev_add", {{"type", "user"}, {"id", netdev}}});
    s.undo.push_back({"netdev_del", {{"id", netdev}}});
    s.device = {"device_add", {{"driver", n.model}, {"id", n.id}, {"netdev", netdev}, {"mac", n.mac}, {"bus", port}, {"addr", "0"}}};
    return s;
}

HotplugSteps tap_nic_hotplug(const NicHotplug& n, const std::string& port, const std::string& fdname, bool vhost) {
    auto s = user_nic_hotplug(n, port);
    s.backends[0].arguments = {{"type", "tap"}, {"id", "netdev-" + n.id}, {"fd", fdname}};
    if (vhost) s.backends[0].arguments["vhost"] = true;
    return s;
}

HotplugSteps usb_hotplug(const std::string& id, uint16_t vendor, uint16_t product) {
    HotplugSteps s;
    s.device = {"device_add", {{"driver", "usb-host"}, {"id", id}, {"bus", "xhci.0"}, {"vendorid", vendor}, {"productid", product}}};
    return s;
}

HotplugSteps usb_hotplug_at(const std::string& id, int bus, int addr) {
    HotplugSteps s;
    s.device = {"device_add", {{"driver", "usb-host"}, {"id", id}, {"bus", "xhci.0"}, {"hostbus", bus}, {"hostaddr", addr}}};
    return s;
}

HotplugSteps usb_controller_hotplug(const std::string& port) {
    HotplugSteps s;
    s.device = {"device_add", {{"driver", "qemu-xhci"}, {"id", "xhci"}, {"bus", port}, {"addr", "0"}}};
    return s;
}

std::optional<HotplugSteps> raw_device_hotplug(const std::string& text, const std::string& id, const std::string& port,
                                               std::string& error) {
    auto parsed = parse_option(text);
    if (parsed.head.empty()) {
        error = "--device needs a driver first, like 'virtio-rng-pci' or 'e1000e,mac=52:54:00:00:00:09'";
        return std::nullopt;
    }
    Json dev = {{"driver", parsed.head}};
    for (const auto& [k, v] : parsed.props) {
        if (k == "driver") {
            error = "--device names its driver first, not as driver=";
            return std::nullopt;
        }
        dev[k] = v;
    }
    if (!dev.contains("id")) dev["id"] = id;
    if (!dev.contains("bus")) {
        dev["bus"] = port;
        if (!dev.contains("addr")) dev["addr"] = "0";
    }
    HotplugSteps s;
    s.device = {"device_add", dev};
    return s;
}

std::vector<QmpCall> host_pci_hotplug(std::vector<HostFunctionHotplug> functions, const std::string& port) {
    std::sort(functions.begin(), functions.end(), [](auto& a, auto& b) { return a.host < b.host; });
    std::vector<QmpCall> out;
    for (size_t fn = functions.size(); fn-- > 0;) {
        Json dev = {{"driver", "vfio-pci"}, {"host", functions[fn].host.str()}, {"id", functions[fn].id}, {"bus", port},
                    {"addr", "0." + std::to_string(fn)}};
        if (fn == 0 && functions.size() > 1) dev["multifunction"] = true;
        out.push_back({"device_add", dev});
    }
    return out;
}

std::string unused_id(const std::string& stem, const std::vector<std::string>& taken) {
    for (int n = 0;; ++n) {
        std::string id = stem + std::to_string(n);
        if (std::find(taken.begin(), taken.end(), id) == taken.end()) return id;
    }
}

}  // namespace vmrun
