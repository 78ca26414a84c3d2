// vmrun hotplug NAME --disk PATH | --nic user | --usb VENDOR:PRODUCT|BUS.ADDR |
//                    --device 'driver,prop=val' | --pci ADDR | --input EVDEV   [--id ID] [--persist]
// The options read into a request for vm/hotplug, whose changes are printed
// a line each or, with --json, as one document.

#include <iostream>
#include <optional>

#include "base/exit_codes.h"
#include "cli/change_report.h"
#include "cli/command.h"
#include "cli/vm_target.h"
#include "vm/hotplug.h"

namespace vmrun::cli {

namespace {

// The table makes the kinds exclude each other; one must be there.
std::optional<HotplugRequest> read_request(const ParsedArgs& args) {
    HotplugRequest r;
    bool given = false;
    for (auto kind : {HotplugKind::disk, HotplugKind::nic, HotplugKind::usb, HotplugKind::device, HotplugKind::pci, HotplugKind::input})
        if (auto v = args.value(hotplug_kind_name(kind))) {
            r.kind = kind;
            r.value = *v;
            given = true;
        }
    if (!given) {
        std::cerr << "vmrun hotplug: what to add? give one of --disk, --nic, --usb, --device, --pci or --input\n";
        return std::nullopt;
    }
    r.id = args.value_or("id", "");
    r.format = args.value_or("format", r.format);
    r.model = args.value_or("model", r.model);
    r.bridge = args.value_or("bridge", "");
    r.readonly = args.flag("readonly");
    r.nvme = args.flag("nvme");
    r.persist = args.flag("persist");
    return r;
}

}  // namespace

int run_hotplug(const ParsedArgs& args) {
    auto target = resolve_target(args);
    if (!target) return kExitUsage;
    auto request = read_request(args);
    if (!request) return kExitUsage;
    ChangeReport report(args.flag("json"), target->folder.name);
    return hotplug(*target, *request, report);
}

}  // namespace vmrun::cli
