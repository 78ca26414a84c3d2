// vmrun unplug's operation (vm/unplug.h).

#include "vm/unplug.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "base/exit_codes.h"
#include "host/journal.h"
#include "host/pci/vfio_binder.h"
#include "vm/profile_persist.h"
#include "run/input_objects.h"
#include "vm/qmp_connect.h"

namespace vmrun {

int unplug(const VmTarget& target, const UnplugRequest& request, ChangeLog& report) {
    const std::string& id = request.id;
    double timeout = request.timeout_s;
    // --persist: the profile without the device, checked before the device goes.
    std::optional<PersistedProfile> persisted;
    if (request.persist) {
        if (!target.by_name()) {
            std::cerr << "vmrun: --persist needs the VM's NAME, not --qmp: it edits the profile the VM was started from\n";
            return kExitUsage;
        }
        if (!(persisted = PersistedProfile::open(target.folder))) return kExitFailure;
        const auto& profile = persisted->loaded().profile;
        auto items = find_device_items(profile, id);
        if (items.indexes.empty()) {
            std::string ids;
            for (const auto& i : device_ids(profile)) ids += (ids.empty() ? "" : ", ") + i;
            std::cerr << "vmrun: --persist: " << persisted->path() << " has no device '" << id << "' (it has: "
                      << (ids.empty() ? "none" : ids) << "); unplug without --persist. Nothing was changed\n";
            return kExitFailure;
        }
        if (!persisted->accept(remove_items(persisted->text(), persisted->loaded(), items.list, items.indexes))) return kExitFailure;
    }
    auto client = connect_qmp(target.qmp_socket, target.folder.name);
    if (!client) return kExitFailure;
    auto& c = *client;
    if (!persisted) {
        // An evdev input is an object, not a device: no guest to wait for.
        auto inputs = input_object_ids(c);
        if (std::find(inputs.begin(), inputs.end(), id) != inputs.end()) {
            // QEMU 7.2 closed the descriptor of a device that went away; deleting the object closes that number again.
            auto replug = read_input_replug_state(target.folder.input_replug_file());
            bool away = std::any_of(replug.away.begin(), replug.away.end(), [&](const auto& w) { return w["id"] == id; });
            if (away || std::find(replug.dead.begin(), replug.dead.end(), id) != replug.dead.end()) {
                std::cerr << "vmrun: input '" << id << "' " << (away ? "waits for its unplugged device" : "was left behind when its device was unplugged")
                          << ": QEMU 7.2 would close another of its files deleting it, so it stays until the VM ends\n";
                return kExitFailure;
            }
            if (auto del = c.execute("object-del", {{"id", id}}); !del) {
                std::cerr << "vmrun: object-del " << id << ": " << del.describe() << "\n";
                return kExitFailure;
            }
            inputs = input_object_ids(c);
            if (std::find(inputs.begin(), inputs.end(), id) != inputs.end()) {
                std::cerr << "vmrun: QEMU still lists input '" << id << "'\n";
                return kExitFailure;
            }
            report.add("removed", {{"id", id}, {"device_deleted_event", false}}, "removed input '" + id + "' (QEMU let go of its evdev device)");
            return kExitOk;
        }
    }
    std::string path = "/machine/peripheral/" + id;
    // The backends, read before the device (and its properties) go away.
    std::string drive, netdev;
    if (auto r = c.execute("qom-get", {{"path", path}, {"property", "drive"}}); r && r.value.is_string()) drive = r.value;
    if (auto r = c.execute("qom-get", {{"path", path}, {"property", "netdev"}}); r && r.value.is_string()) netdev = r.value;
    // Host PCI functions (vfio-pci) go back to their drivers once QEMU let go:
    // this one and the other functions hotplugged into its slot (ID.f1, ...).
    std::map<std::string, std::string> host_functions;  // qdev id -> host address
    auto host_of = [&](const std::string& dev) {
        auto r = c.execute("qom-get", {{"path", "/machine/peripheral/" + dev}, {"property", "host"}});
        if (r && r.value.is_string()) host_functions[dev] = r.value;
    };
    host_of(id);
    if (!host_functions.empty())
        if (auto r = c.execute("qom-list", {{"path", "/machine/peripheral"}}))
            for (const auto& e : r.value)
                if (e.value("name", "").rfind(id + ".f", 0) == 0) host_of(e["name"]);

    auto del = c.execute("device_del", {{"id", id}});
    if (!del) {
        std::cerr << "vmrun: device_del " << id << ": " << del.describe() << "\n";
        return kExitFailure;
    }
    // DEVICE_DELETED is QEMU's word that the guest let go. QEMU 7.2 skips it for
    // some devices (a qemu-xhci that had a usb-host on it leaves the device tree
    // without one), so a device gone from /machine/peripheral counts too:
    // both are things QEMU says, neither is a guess.
    auto still_listed = [&] {
        auto r = c.execute("qom-list", {{"path", "/machine/peripheral"}});
        if (!r) return true;
        for (const auto& e : r.value)
            if (e.value("name", "") == id) return true;
        return false;
    };
    bool deleted = false, by_event = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(long(timeout * 1000));
    while (!deleted && std::chrono::steady_clock::now() < deadline && c.connected()) {
        auto slice = std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(1), deadline - std::chrono::steady_clock::now());
        by_event = c.wait_event("DEVICE_DELETED", [&](const qmp::Event& e) { return e.data.value("device", "") == id; },
                                std::chrono::duration_cast<std::chrono::milliseconds>(slice)).has_value();
        deleted = by_event || !still_listed();
    }
    if (!deleted) {
        std::cerr << "vmrun: the guest did not release '" << id << "' within " << timeout
                  << " s (no DEVICE_DELETED): the device is still in the VM.\n"
                     "  A paused VM, or a guest without ACPI hotplug support, never answers; QEMU removes the device\n"
                     "  once the guest lets go, and refuses a second unplug meanwhile.\n";
        return kExitFailure;
    }
    // A device given its drive on the command line (-drive) takes it along; a
    // hotplugged one leaves a node to delete.
    if (!drive.empty()) {
        auto r = c.execute("blockdev-del", {{"node-name", drive}});
        if (!r && r.error_desc.find("not found") == std::string::npos && r.error_desc.find("Cannot find") == std::string::npos)
            std::cerr << "vmrun: warning: blockdev-del " << drive << ": " << r.describe() << "\n";
    }
    if (!netdev.empty()) {
        auto r = c.execute("netdev_del", {{"id", netdev}});
        if (!r) std::cerr << "vmrun: warning: netdev_del " << netdev << ": " << r.describe() << "\n";
    }
    report.add("removed", {{"id", id}, {"device_deleted_event", by_event}},
               "removed '" + id + "'" + (by_event ? "" : " (QEMU dropped it without a DEVICE_DELETED event)"));
    bool persist_failed = persisted && !persisted->commit(target.folder, report);
    if (host_functions.empty()) return persist_failed ? kExitFailure : kExitOk;
    // Only what QEMU no longer holds: a function still listed stays bound.
    std::set<std::string> listed;
    if (auto r = c.execute("qom-list", {{"path", "/machine/peripheral"}}))
        for (const auto& e : r.value) listed.insert(e.value("name", ""));
    Journal journal(target.folder.journal_file());
    int code = kExitOk;
    for (const auto& [dev, address] : host_functions) {
        if (listed.count(dev)) {
            std::cerr << "vmrun: '" << dev << "' (" << address << ") is still in the VM; it stays on vfio-pci\n";
            continue;
        }
        auto back = release_device(journal, address);
        if (back.kind == UndoOutcome::Kind::failed) {
            std::cerr << "vmrun: " << back.shown() << "\n";
            code = kExitFailure;
        } else if (!back.text.empty()) {
            report.add("given_back", {{"id", dev}, {"host", address}, {"what", back.text}}, back.text);
        }
    }
    return persist_failed ? kExitFailure : code;
}

}  // namespace vmrun
