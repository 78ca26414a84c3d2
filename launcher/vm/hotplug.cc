// vmrun hotplug's operation (vm/hotplug.h): the checks of the request, the
// QMP calls, and the host changes some devices need (a tap, vfio-pci, an
// evdev node lent to QEMU's user) under the VM's journal.

#include "vm/hotplug.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <iostream>

#include "base/exit_codes.h"
#include "base/join.h"
#include "host/input/evdev_devices.h"
#include "host/net/network_setup.h"
#include "host/net/rtnetlink.h"
#include "host/pci/bind_functions.h"
#include "host/pci/pci_sysfs.h"
#include "host/pci/vfio_binder.h"
#include "plan/hotplug_plan.h"
#include "plan/launch_plan.h"
#include "plan/qemu_argv.h"
#include "profile/profile_schema.h"
#include "profile/stable_mac.h"
#include "profile/value_parsers.h"
#include "run/instance_lock.h"
#include "vm/load_plan.h"
#include "vm/print_problems.h"
#include "vm/profile_persist.h"
#include "run/input_objects.h"
#include "vm/qmp_connect.h"

namespace vmrun {

namespace {

// QEMU runs elsewhere, and a profile's relative paths start at the profile:
// a path given on this command line means what it means here.
std::string absolute_path(const std::string& path) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    return ec ? path : abs.lexically_normal().string();
}

std::vector<std::string> peripheral_ids(qmp::Client& c) {
    std::vector<std::string> ids;
    auto r = c.execute("qom-list", {{"path", "/machine/peripheral"}});
    if (r)
        for (const auto& e : r.value)
            if (e.value("type", "").rfind("child<", 0) == 0) ids.push_back(e["name"]);
    return ids;
}

// query-pci walks a root port's bus only once firmware has numbered it
// (secondary bus != 0); a device added while the guest is still in its
// firmware is real but not yet in that walk, so QOM's list counts too.
bool qemu_lists_pci_device(qmp::Client& c, const std::string& id) {
    auto pci = c.execute("query-pci");
    if (pci && pci_has_device(pci.value, id)) return true;
    auto ids = peripheral_ids(c);
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string describe_ports(const std::vector<RootPortState>& ports) {
    std::string out;
    for (const auto& p : ports) {
        out += "\n  " + p.id + ":";
        for (const auto& o : p.occupants) out += " " + o;
    }
    return out;
}

// The first empty reserved root port, from query-pci.
struct FreePort {
    bool queried = false;             // false: query-pci failed (already said)
    std::optional<std::string> port;  // nullopt: every port is taken
    std::string none_left;            // the message for that case
};

FreePort free_root_port(qmp::Client& c) {
    FreePort out;
    auto pci = c.execute("query-pci");
    if (!pci) {
        std::cerr << "vmrun: query-pci: " << pci.describe() << "\n";
        return out;
    }
    out.queried = true;
    auto ports = root_ports_in(pci.value);
    out.port = first_free_port(ports);
    out.none_left = "vmrun: every root port of this VM is taken:" + describe_ports(ports) +
                    "\n  reserve more with 'root_ports: spare: N' in the profile (applies at the next start),"
                    " or unplug a device first; nothing was changed";
    return out;
}

// Runs the steps; on a failure undoes what it added. Returns "" or the error.
std::string execute(qmp::Client& c, const HotplugSteps& steps) {
    size_t done = 0;
    for (const auto& b : steps.backends) {
        auto r = c.execute(b.command, b.arguments);
        if (!r) {
            for (size_t i = done; i-- > 0;) c.execute(steps.undo[i].command, steps.undo[i].arguments);
            return b.command + ": " + r.describe();
        }
        ++done;
    }
    auto r = c.execute(steps.device.command, steps.device.arguments);
    if (!r) {
        for (size_t i = done; i-- > 0;) c.execute(steps.undo[i].command, steps.undo[i].arguments);
        return "device_add: " + r.describe();
    }
    return "";
}

// A tap on `bridge` for hotplug NIC `id`: checked, journaled in the VM's
// journal, created, its fd passed to QEMU (getfd) and vmrun's copy closed.
// Returns the fd's name in QEMU.
std::optional<std::string> open_hotplug_tap(const std::string& vm, const std::string& id, const std::string& bridge,
                                            const VmPaths& folder, qmp::Client& c, ChangeLog& report) {
    TapRequest req{id, "", bridge, false};
    std::string error;
    auto nl = Rtnetlink::open(error);
    for (size_t i = 0; nl && req.tap.empty(); ++i) {
        int err = 0;
        auto name = default_tap_name(vm, 100 + i);  // past the profile's own NICs
        if (!nl->link(name, err)) req.tap = name;
    }
    if (auto problems = check_taps({req}); !problems.empty()) {
        print_problems(problems);
        return std::nullopt;
    }
    Journal journal(folder.journal_file());
    auto setup = set_up_taps({req}, journal);
    if (setup.failure) {
        std::cerr << "vmrun: " << setup.failure->text() << "\n";
        close_taps(setup);
        return std::nullopt;
    }
    std::string fdname = "tap-" + id;
    auto sent = c.send_fd(setup.taps[0].fd, fdname);
    close_taps(setup);
    if (!sent) {
        std::cerr << "vmrun: passing the tap to QEMU failed: " << sent.describe() << "\n";
        return std::nullopt;
    }
    report.set("tap", {{"name", req.tap}, {"bridge", bridge}}, "tap " + req.tap + " is up on " + bridge);
    return fdname;
}

// What the profile says for a --disk, --nic or --usb being added: the keys
// that give the same device at the next start (the same id, so the same MAC).
struct ProfileEntry {
    DeviceList list = DeviceList::disks;
    std::vector<ItemField> fields;
    std::string error;
};

ProfileEntry profile_entry(const HotplugRequest& o, const std::string& id) {
    ProfileEntry e;
    if (o.kind == HotplugKind::disk) {
        e.fields = {{"id", id}, {"path", absolute_path(o.value)}, {"format", o.format}};
        if (o.nvme) e.fields.push_back({"bus", "nvme"});
        if (o.readonly) e.fields.push_back({"readonly", "true", true});
    } else if (o.kind == HotplugKind::nic) {
        e.list = DeviceList::network;
        e.fields = {{"id", id}, {"type", o.value}};
        if (o.model != "virtio" && o.model != "virtio-net-pci") {
            const auto& models = key_choices("network", "model");
            if (std::find(models.begin(), models.end(), o.model) == models.end())
                e.error = "the profile's NIC models are " + join(models, ", ") + ", not '" + o.model + "'";
            e.fields.push_back({"model", o.model});
        }
        if (o.value == "tap") e.fields.push_back({"bridge", o.bridge});
    } else {
        e.list = DeviceList::usb;
        e.fields = {{"host", o.value}, {"id", id}};
    }
    return e;
}

// --persist: the profile entries for what is being added, checked as part
// of the whole profile before the VM or the host is touched.
std::optional<PersistedProfile> prepare_persist(const VmTarget& target, DeviceList list,
                                                const std::vector<std::vector<ItemField>>& items) {
    auto persisted = PersistedProfile::open(target.folder);
    if (!persisted || !persisted->accept(append_items(persisted->text(), persisted->loaded(), list, items))) return std::nullopt;
    return persisted;
}

// --pci ADDR[,ADDR...]: host functions of one slot (their whole IOMMU group)
// go to vfio-pci under the VM's journal, then into one free root port.
// Anything that fails gives the functions back to their drivers.
int hotplug_host_pci(const VmTarget& target, const HotplugRequest& o, ChangeLog& report) {
    if (!target.by_name()) {
        std::cerr << "vmrun: --pci needs the VM's NAME, not --qmp: the binding goes into the VM's journal\n";
        return kExitUsage;
    }
    std::vector<PciAddress> addresses;
    for (size_t start = 0; start <= o.value.size();) {
        size_t comma = o.value.find(',', start);
        auto text = o.value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto a = parse_pci_address(text);
        if (!a) {
            std::cerr << "vmrun: --pci: '" << text << "' is not a PCI address like 0000:04:00.0\n";
            return kExitUsage;
        }
        if (!addresses.empty() && !a->same_slot(addresses.front())) {
            std::cerr << "vmrun: --pci: " << text << " is not in slot " << addresses.front().slot_str()
                      << "; hotplug one device (the functions of one slot) at a time\n";
            return kExitUsage;
        }
        addresses.push_back(*a);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    auto sysroot = probe_host_facts(target.folder.name).sysroot;
    // The functions of a slot share one guest slot; VFs that share a host slot
    // are still independent devices, each with its own port (as at start).
    if (addresses.size() > 1)
        for (const auto& a : addresses)
            if (is_virtual_function(sysroot, a)) {
                std::cerr << "vmrun: --pci: " << a.str() << " is an SR-IOV virtual function: each VF is a device of its own, "
                          << "in its own root port; hotplug one VF per call (--pci " << a.str() << ")\n";
                return kExitUsage;
            }
    pid_t holder = 0;
    if (!vm_running(target.folder, holder)) {
        std::cerr << "vmrun: " << target.folder.name << " is not running\n";
        return kExitFailure;
    }
    // Every refusal before QMP and the first change (the binding reads the host again).
    if (auto problems = inspect_passthrough(sysroot, addresses).problems(); !problems.empty()) {
        print_problems(problems);
        std::cerr << "vmrun: nothing was changed\n";
        return kExitFailure;
    }
    auto client = connect_qmp(target.qmp_socket, target.folder.name);
    if (!client) return kExitFailure;
    auto& c = *client;
    auto taken = peripheral_ids(c);
    auto free = free_root_port(c);
    if (!free.queried) return kExitFailure;
    if (!free.port) {
        std::cerr << free.none_left << "\n";
        return kExitFailure;
    }
    auto port = free.port;
    std::string base = o.id.empty() ? unused_id("hostdev", taken) : o.id;
    std::vector<HostFunctionHotplug> functions;
    for (size_t i = 0; i < addresses.size(); ++i) functions.push_back({i == 0 ? base : base + ".f" + std::to_string(i), addresses[i]});
    std::optional<PersistedProfile> persisted;
    if (o.persist) {
        std::vector<std::vector<ItemField>> items;
        for (const auto& f : functions) items.push_back({{"host", f.host.str()}, {"id", f.id}});
        if (!(persisted = prepare_persist(target, DeviceList::passthrough, items))) return kExitFailure;
    }

    // A QEMU that dropped to a run_as user must be able to open the group's node.
    std::optional<DeviceOwner> owner;
    struct stat st {};
    if (auto qemu = read_pid_file(target.folder.qemu_pid_file());
        qemu && ::stat(("/proc/" + std::to_string(*qemu)).c_str(), &st) == 0 && st.st_uid != 0)
        owner = DeviceOwner{st.st_uid, st.st_gid};
    Journal journal(target.folder.journal_file());
    auto give_back = [&] {
        for (const auto& a : addresses)
            if (auto back = release_device(journal, a.str()); back.kind == UndoOutcome::Kind::failed)
                std::cerr << "vmrun: " << back.shown() << "\n";
    };
    auto bound = bind_functions({sysroot, addresses, {}, {}, {}, owner}, journal);
    for (const auto& w : bound.warnings) std::cerr << "vmrun: warning: " << w << "\n";
    if (!bound.ok()) {
        if (!bound.refusals.empty()) print_problems(bound.refusals);
        else std::cerr << "vmrun: " << bound.failure->text() << "\n";
        give_back();
        return kExitFailure;
    }
    std::vector<std::string> added;
    for (const auto& call : host_pci_hotplug(functions, *port)) {
        auto r = c.execute(call.command, call.arguments);
        if (!r) {
            std::cerr << "vmrun: device_add " << call.arguments["host"].get<std::string>() << ": " << r.describe() << "\n";
            for (const auto& id : added) c.execute("device_del", {{"id", id}});
            give_back();
            std::cerr << "vmrun: the devices are back on their drivers\n";
            return kExitFailure;
        }
        added.push_back(call.arguments["id"]);
    }
    if (!qemu_lists_pci_device(c, base)) {
        std::cerr << "vmrun: QEMU accepted host device '" << base << "' but does not list it\n";
        return kExitFailure;
    }
    for (const auto& f : functions)
        report.add("added", {{"id", f.id}, {"kind", "pci"}, {"driver", "vfio-pci"}, {"host", f.host.str()}, {"port", *port}},
                   "added host device " + f.host.str() + " as '" + f.id + "' on " + *port);
    return persisted && !persisted->commit(target.folder, report) ? kExitFailure : kExitOk;
}

// --input EVDEV: an input-linux object, found again under /objects.
int hotplug_input(const VmTarget& target, const HotplugRequest& o, ChangeLog& report) {
    auto sysroot = probe_host_facts("hotplug").sysroot;
    if (auto problem = evdev_problem(sysroot, o.value); !problem.empty()) {
        std::cerr << "vmrun: --input " << o.value << " " << problem
                  << "\n  fix: give the device's event path: ls -l /dev/input/by-id/ lists keyboards and mice (…-event-kbd, …-event-mouse)\n";
        return kExitUsage;
    }
    // QEMU is given the node vmrun checked, not a path that may point elsewhere by the time QEMU opens it.
    std::error_code ec;
    auto node = std::filesystem::canonical(std::filesystem::path(sysroot) / std::filesystem::path(o.value).relative_path(), ec);
    if (ec) {
        std::cerr << "vmrun: cannot resolve " << o.value << ": " << ec.message() << "\n";
        return kExitFailure;
    }
    // A QEMU that dropped to a run_as user opens the device as that user.
    struct stat st {};
    std::optional<Journal> lent_in;
    if (auto qemu = read_pid_file(target.folder.qemu_pid_file());
        qemu && ::stat(("/proc/" + std::to_string(*qemu)).c_str(), &st) == 0 && st.st_uid != 0) {
        if (!target.by_name()) {
            std::cerr << "vmrun: --input into a QEMU running as a user needs the VM's NAME, not --qmp: the access goes into the VM's journal\n";
            return kExitUsage;
        }
        Journal journal(target.folder.journal_file());
        auto in_host = "/" + node.lexically_relative(std::filesystem::path(sysroot)).string();
        auto granted = grant_evdev_access(sysroot, in_host, st.st_uid, st.st_gid, journal);
        if (granted.failure) {
            std::cerr << "vmrun: " << granted.failure->text() << "; nothing was added\n";
            return kExitFailure;
        }
        if (!granted.done.empty()) {
            std::cerr << "vmrun: " << granted.done << "\n";
            lent_in = journal;
        }
    }
    // Every way out without the device in the VM gives the node back first.
    auto failed = [&](const std::string& why) {
        std::cerr << "vmrun: " << why << "\n";
        if (lent_in) {
            auto back = give_back_evdev_access(*lent_in, node.filename().string());
            if (back.kind == UndoOutcome::Kind::failed)
                std::cerr << "vmrun: " << back.failure.what << "; 'vmrun restore' after the VM ends gives it back\n";
            else if (!back.text.empty()) std::cerr << "vmrun: " << back.text << "\n";
        }
        return kExitFailure;
    };
    auto client = connect_qmp(target.qmp_socket, target.folder.name);
    if (!client) return failed("nothing was added");
    auto& c = *client;
    auto objects = input_object_ids(c);
    std::string id = o.id;
    if (id.empty())
        for (size_t i = 0; id.empty() || std::find(objects.begin(), objects.end(), id) != objects.end(); ++i) id = input_object_id(i);
    else if (std::find(objects.begin(), objects.end(), id) != objects.end())
        return failed("the VM already has an input '" + id + "'");
    auto added = c.execute("object-add", {{"qom-type", "input-linux"}, {"id", id}, {"evdev", node.string()}});
    if (!added) return failed("adding input '" + id + "' failed: " + added.describe() + "\n  nothing was left added");
    objects = input_object_ids(c);
    if (std::find(objects.begin(), objects.end(), id) == objects.end())
        return failed("QEMU accepted input '" + id + "' but does not list it");
    report.add("added", {{"id", id}, {"kind", "input"}, {"driver", "input-linux"}, {"port", nullptr}, {"evdev", o.value}},
               "added input '" + id + "' (input-linux on " + o.value + ")");
    return kExitOk;
}

}  // namespace

const char* hotplug_kind_name(HotplugKind kind) {
    switch (kind) {
        case HotplugKind::disk: return "disk";
        case HotplugKind::nic: return "nic";
        case HotplugKind::usb: return "usb";
        case HotplugKind::device: return "device";
        case HotplugKind::pci: return "pci";
        case HotplugKind::input: return "input";
    }
    return "";
}

int hotplug(const VmTarget& target, const HotplugRequest& o, ChangeLog& report) {
    if (o.kind == HotplugKind::nic && o.value != "user" && o.value != "tap") {
        std::cerr << "vmrun: --nic is 'user' or 'tap' (with --bridge BR)\n";
        return kExitUsage;
    }
    if (o.kind == HotplugKind::nic && o.value == "tap" && o.bridge.empty()) {
        std::cerr << "vmrun: --nic tap needs --bridge BR, the host bridge to join\n";
        return kExitUsage;
    }
    if (o.kind == HotplugKind::nic && o.value == "tap" && !target.by_name()) {
        std::cerr << "vmrun: --nic tap needs the VM's NAME, not --qmp: the tap goes into the VM's journal\n";
        return kExitUsage;
    }
    if (!o.id.empty() && !is_safe_name(o.id)) {
        std::cerr << "vmrun: --id must use letters, digits, '-', '_' and '.'\n";
        return kExitUsage;
    }
    if (o.persist && !target.by_name()) {
        std::cerr << "vmrun: --persist needs the VM's NAME, not --qmp: it edits the profile the VM was started from\n";
        return kExitUsage;
    }
    if (o.persist && o.kind == HotplugKind::device) {
        std::cerr << "vmrun: --persist cannot write a raw --device into a profile (it has no key for one);\n"
                     "  add it to the profile's qemu_extra_args by hand\n";
        return kExitUsage;
    }
    if (o.persist && o.kind == HotplugKind::input) {
        std::cerr << "vmrun: --persist does not write --input into the profile; add it under 'input' by hand\n";
        return kExitUsage;
    }
    if (o.kind == HotplugKind::pci) return hotplug_host_pci(target, o, report);
    if (o.kind == HotplugKind::input) return hotplug_input(target, o, report);
    auto client = connect_qmp(target.qmp_socket, target.folder.name);
    if (!client) return kExitFailure;
    auto& c = *client;
    auto taken = peripheral_ids(c);
    if (!o.id.empty() && std::find(taken.begin(), taken.end(), o.id) != taken.end()) {
        std::cerr << "vmrun: the VM already has a device '" << o.id << "'\n";
        return kExitFailure;
    }
    auto free = free_root_port(c);
    if (!free.queried) return kExitFailure;
    auto port = free.port;
    bool needs_port = o.kind != HotplugKind::usb || std::find(taken.begin(), taken.end(), "xhci") == taken.end();
    if (needs_port && !port) {
        std::cerr << free.none_left << "\n";
        return kExitFailure;
    }

    HotplugSteps steps;
    std::string what, id = o.id, passed_fd;
    bool is_pci = true;
    const auto& formats = key_choices("disks", "format");
    if (o.kind == HotplugKind::disk && std::find(formats.begin(), formats.end(), o.format) == formats.end()) {
        std::cerr << "vmrun: --format is one of " << join(formats, ", ") << "\n";
        return kExitUsage;
    }
    if (id.empty() && o.kind != HotplugKind::device)
        id = unused_id(o.kind == HotplugKind::disk ? "disk" : o.kind == HotplugKind::nic ? "net" : "usbhost", taken);
    std::optional<PersistedProfile> persisted;
    if (o.persist) {
        auto entry = profile_entry(o, id);
        if (!entry.error.empty()) {
            std::cerr << "vmrun: --persist: " << entry.error << "; nothing was changed\n";
            return kExitUsage;
        }
        if (!(persisted = prepare_persist(target, entry.list, {entry.fields}))) return kExitFailure;
    }
    if (o.kind == HotplugKind::disk) {
        DiskHotplug d{id, absolute_path(o.value), o.format, o.readonly, o.value.rfind("/dev/", 0) == 0,
                      o.nvme ? HotplugDiskBus::nvme : HotplugDiskBus::virtio};
        steps = disk_hotplug(d, *port);
        what = "disk";
    } else if (o.kind == HotplugKind::nic) {
        auto name = c.execute("query-name");
        std::string vm = name ? name.value.value("name", target.folder.name) : target.folder.name;
        std::string model = o.model == "virtio" ? "virtio-net-pci" : o.model;
        if (o.value == "tap") {
            // The tap lives in QEMU's fd: once netdev_del closes it, it is gone.
            auto tap = open_hotplug_tap(vm, id, o.bridge, target.folder, c, report);
            if (!tap) return kExitFailure;
            steps = tap_nic_hotplug({id, stable_mac(vm, id), model}, *port, *tap,
                                    model == "virtio-net-pci" && ::access("/dev/vhost-net", R_OK | W_OK) == 0);
            passed_fd = *tap;
        } else {
            steps = user_nic_hotplug({id, stable_mac(vm, id), model}, *port);
        }
        what = "network interface";
    } else if (o.kind == HotplugKind::usb) {
        // VENDOR:PRODUCT, or BUS.ADDR as lsusb prints them: the profile's two forms.
        bool by_address = o.value.find(':') == std::string::npos;
        auto usb = parse_usb_id(o.value);
        auto at = parse_usb_bus_addr(o.value);
        if (by_address ? !at.value : !usb.value) {
            std::cerr << "vmrun: --usb: " << (by_address ? at.error : usb.error) << " (give VENDOR:PRODUCT like 046d:c52b, or BUS.ADDR like 3.4 from lsusb)\n";
            return kExitUsage;
        }
        if (std::find(taken.begin(), taken.end(), "xhci") == taken.end()) {
            auto controller = usb_controller_hotplug(*port);
            if (auto err = execute(c, controller); !err.empty()) {
                std::cerr << "vmrun: adding a USB controller failed: " << err << "\n";
                return kExitFailure;
            }
            report.add("added", {{"id", controller.device.arguments["id"]}, {"kind", "usb-controller"},
                                 {"driver", controller.device.arguments["driver"]}, {"port", *port}},
                       "added USB controller 'xhci' on " + *port);
        }
        steps = by_address ? usb_hotplug_at(id, at.value->bus, at.value->addr) : usb_hotplug(id, usb.value->vendor, usb.value->product);
        what = "USB device";
        is_pci = false;
    } else {
        if (id.empty()) id = unused_id("dev", taken);
        std::string error;
        auto s = raw_device_hotplug(o.value, id, *port, error);
        if (!s) {
            std::cerr << "vmrun: " << error << "\n";
            return kExitUsage;
        }
        steps = *s;
        id = steps.device.arguments["id"];
        what = "device";
        is_pci = steps.device.arguments["bus"] == *port;
    }

    if (auto err = execute(c, steps); !err.empty()) {
        // A tap fd netdev_add did not take would keep the tap alive inside QEMU.
        if (!passed_fd.empty()) c.execute("closefd", {{"fdname", passed_fd}});
        std::cerr << "vmrun: adding " << what << " '" << id << "' failed: " << err << "\n  nothing was left added\n";
        return kExitFailure;
    }
    // Seen, not assumed: QEMU must list the new device.
    bool visible = false;
    if (is_pci) {
        visible = qemu_lists_pci_device(c, id);
    } else {
        auto ids = peripheral_ids(c);
        visible = std::find(ids.begin(), ids.end(), id) != ids.end();
    }
    if (!visible) {
        std::cerr << "vmrun: QEMU accepted " << what << " '" << id << "' but does not list it\n";
        return kExitFailure;
    }
    std::string driver = steps.device.arguments["driver"];
    nlohmann::json entry = {{"id", id}, {"kind", hotplug_kind_name(o.kind)}, {"driver", driver},
                            {"port", is_pci ? steps.device.arguments["bus"] : nlohmann::json()}};
    report.add("added", entry,
               "added " + what + " '" + id + "' (" + driver + ")" + (is_pci ? " on " + steps.device.arguments["bus"].get<std::string>() : std::string()));
    return persisted && !persisted->commit(target.folder, report) ? kExitFailure : kExitOk;
}

}  // namespace vmrun
