// libFuzzer target: any bytes as the profile that 'hotplug --persist' and
// 'unplug --persist' edit. For each device list, the items the CLI writes
// are appended, the first device's items removed as unplug finds them, and
// then every item.
// Invariants: nothing aborts or throws; when the profile loads without
// errors (the only kind --persist edits), every edit is either refused with
// a reason or gives a text that loads without errors, with exactly that
// list changed by exactly those items.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "profile/profile_edit.h"
#include "profile/profile_file.h"

namespace {

using vmrun::DeviceList;
using vmrun::ItemField;

const char* kPath = "/vm/fuzz.yaml";

// Each list's item count, in DeviceList order.
std::vector<size_t> counts(const vmrun::Profile& p) {
    return {p.disks.size(), p.nics.size(), p.passthrough.size(), p.usb.size()};
}

// The id of the list's first item; "" when it has none.
std::string first_id(const vmrun::Profile& p, DeviceList list) {
    auto first = [](const auto& items) { return items.empty() ? std::string() : items.front().id; };
    switch (list) {
        case DeviceList::disks: return first(p.disks);
        case DeviceList::network: return first(p.nics);
        case DeviceList::passthrough: return first(p.passthrough);
        case DeviceList::usb: return first(p.usb);
    }
    return "";
}

// What hotplug --persist appends to each list (cmd_hotplug.cc's profile_entry
// and the two functions of one host slot).
std::vector<std::vector<ItemField>> new_items(DeviceList list) {
    switch (list) {
        case DeviceList::disks:
            return {{{"id", "fuzzdisk9"}, {"path", "/var/lib/vmrun/fuzz disk.qcow2"}, {"format", "qcow2"}, {"readonly", "true", true}}};
        case DeviceList::network: return {{{"id", "fuzznet9"}, {"type", "tap"}, {"bridge", "br0"}}};
        case DeviceList::passthrough: return {{{"host", "0000:0f:00.0"}, {"id", "fuzzpci9"}}, {{"host", "0000:0f:00.1"}, {"id", "fuzzpci9.f1"}}};
        case DeviceList::usb: return {{{"host", "1d6b:0104"}, {"id", "fuzzusb9"}}};
    }
    return {};
}

// The edited text must load, with `list` grown by `delta` and the others as they were.
void check_edit(const vmrun::ProfileEdit& edit, const std::vector<size_t>& before, DeviceList list, long delta) {
    if (!edit.ok()) {
        if (edit.error.empty()) std::abort();
        return;
    }
    auto after = vmrun::load_profile(edit.text, kPath, "/vm");
    if (after.diagnostics.has_errors()) std::abort();
    auto now = counts(after.profile);
    for (size_t i = 0; i < now.size(); ++i) {
        long want = long(before[i]) + (i == size_t(list) ? delta : 0);
        if (long(now[i]) != want) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto file = vmrun::profile_from_text(text, kPath);
    const auto& loaded = file.loaded;
    // The edits must not fail on a profile with errors either; only their result is unchecked then.
    bool valid = !loaded.diagnostics.has_errors();
    auto before = counts(loaded.profile);
    for (auto list : {DeviceList::disks, DeviceList::network, DeviceList::passthrough, DeviceList::usb}) {
        auto items = new_items(list);
        auto added = vmrun::append_items(text, loaded, list, items);
        if (valid) check_edit(added, before, list, long(items.size()));

        auto n = before[size_t(list)];
        if (n == 0) continue;
        auto found = vmrun::find_device_items(loaded.profile, first_id(loaded.profile, list));
        if (found.indexes.empty()) std::abort();  // an id the profile has must be found
        auto removed = vmrun::remove_items(text, loaded, found.list, found.indexes);
        if (valid) check_edit(removed, before, found.list, -long(found.indexes.size()));

        std::vector<size_t> all(n);
        for (size_t i = 0; i < n; ++i) all[i] = i;
        auto emptied = vmrun::remove_items(text, loaded, list, all);
        if (valid) check_edit(emptied, before, list, -long(n));
    }
    return 0;
}
