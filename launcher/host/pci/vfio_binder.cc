#include "host/pci/vfio_binder.h"

#include "host/pci/device_return.h"

#include "host/journal_args.h"

#include <filesystem>
#include <optional>

#include "host/open_handles.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

// The state bind_to_vfio leaves a device in, recorded with each entry.
const nlohmann::json kLeftByVmrun = {{"driver", "vfio-pci"}, {"driver_override", "vfio-pci"}};

struct DevicePaths {
    fs::path dir, override_file, driver_link, probe;
    explicit DevicePaths(const std::string& sysroot, const std::string& address)
        : dir(fs::path(sysroot) / "sys/bus/pci/devices" / address),
          override_file(dir / "driver_override"),
          driver_link(dir / "driver"),
          probe(fs::path(sysroot) / "sys/bus/pci/drivers_probe") {}
    std::string driver() const { return symlink_name(driver_link); }
    bool bound() const {
        std::error_code ec;
        return fs::exists(driver_link, ec);
    }
};

std::string current_override(const DevicePaths& d) {
    auto o = read_first_line(d.override_file);
    return o == "(null)" ? "" : o;
}

// Unbinds from whatever driver holds the device and waits until it has let go.
std::string unbind(const DevicePaths& d, const std::string& address, std::chrono::milliseconds limit, std::chrono::milliseconds write_limit) {
    if (!d.bound()) return "";
    auto held_by = d.driver();
    if (auto err = write_attribute(d.driver_link / "unbind", address, write_limit); !err.empty())
        return "unbinding " + address + " from " + held_by + ": " + err;
    if (!wait_until([&] { return !d.bound(); }, limit))
        return address + " did not let go of " + held_by + " within " + std::to_string(limit.count()) + " ms";
    return "";
}

}  // namespace

bool vfio_driver_loaded(const std::string& sysroot) {
    std::error_code ec;
    return fs::exists(fs::path(sysroot) / "sys/bus/pci/drivers/vfio-pci", ec);
}

std::optional<Failure> bind_to_vfio(const std::string& sysroot, const PciFunction& f, Journal& journal, const BindLimits& limits) {
    auto address = f.address.str();
    auto fail = [&](std::string what, std::string fix = {}) { return Failure{std::move(what), std::move(fix), address}; };
    DevicePaths d(sysroot, address);
    std::error_code ec;
    if (!fs::exists(d.dir, ec)) return fail("host has no PCI device " + address, "correct the address ('vmrun iommu' lists them)");
    auto original = d.driver();
    auto original_override = current_override(d);
    nlohmann::json args{{"key", "pci:" + address}, {"sysroot", sysroot}, {"address", address}, {"driver", original},
                        {"driver_override", original_override}, {"left", kLeftByVmrun}};
    if (f.iommu_group) args["group"] = *f.iommu_group;
    if (auto jec = journal.record({"pci-driver", args}))
        return fail("cannot write the journal " + journal.path() + ": " + jec.message() + "; " + address + " was not touched",
                    "make the state folder writable (and its disk not full)");

    auto node = fs::path(sysroot) / "dev/vfio" / std::to_string(f.iommu_group.value_or(-1));
    auto node_ready = [&] { return !f.iommu_group || fs::exists(node, ec); };
    if (original != "vfio-pci") {
        if (auto err = write_attribute(d.override_file, "vfio-pci"); !err.empty()) return fail(err);
        if (auto err = unbind(d, address, limits.driver_change, limits.sysfs_write); !err.empty()) return fail(err);
        if (auto err = write_attribute(d.probe, address, limits.sysfs_write); !err.empty()) return fail(err);
        if (!wait_until([&] { return d.driver() == "vfio-pci"; }, limits.driver_change)) {
            auto now = d.driver();
            return fail(address + " did not bind to vfio-pci (driver now: " + (now.empty() ? "none" : now) + ")",
                        "dmesg says why — often vfio-pci is not loaded (modprobe vfio-pci) or the device is in no IOMMU group");
        }
    }
    if (!wait_until(node_ready, limits.device_node))
        return fail(address + " is on vfio-pci but " + node.string() + " did not appear", "check that the vfio module is loaded and udev runs");
    return std::nullopt;
}

namespace {

std::string shown(const std::string& driver) { return driver.empty() ? "no driver" : driver; }

// What holds the device's /dev/vfio group open: unbinding vfio-pci then would
// block until it lets go (vfio waits for its users), so the device stays.
std::vector<std::string> group_holders(const std::string& sysroot, const DevicePaths& d) {
    auto group = symlink_name(d.dir / "iommu_group");
    if (group.empty()) return {};
    auto node = "/dev/vfio/" + group;
    return OpenHandles::read(sysroot).holding([&](const std::string& n) { return n == node; });
}

}  // namespace

UndoOutcome restore_pci_driver(const nlohmann::json& json, const BindLimits& limits) {
    JournalArgs args(json);
    auto sysroot = args.text("sysroot").value_or("/");
    auto address = args.text("address").value_or("");
    auto original = args.text("driver").value_or("");
    auto original_override = args.text("driver_override").value_or("");
    DevicePaths d(sysroot, address);
    std::error_code ec;
    if (address.empty() || !fs::exists(d.dir, ec)) return UndoOutcome::left_alone(address + " is no longer in the host; nothing to give back");
    auto now = d.driver();
    auto now_override = current_override(d);
    if (now == original && now_override == original_override) return UndoOutcome::nothing();

    // What vmrun leaves: vfio-pci with its override — or a step short of it
    // (the override written, the old driver not yet or no longer bound).
    bool ours = now_override == "vfio-pci" && (now == "vfio-pci" || now.empty() || now == original);
    if (!ours)
        return UndoOutcome::left_alone(address + " is on " + shown(now) +
                                       (now_override.empty() ? "" : " (driver_override " + now_override + ")") +
                                       " now, not on vfio-pci as vmrun left it: not touched");
    // A QEMU that just let the device go closes the group a moment later.
    std::vector<std::string> holders;
    if (now == "vfio-pci" && !wait_until([&] { return (holders = group_holders(sysroot, d)).empty(); }, limits.group_release)) {
        std::string list;
        for (const auto& h : holders) list += (list.empty() ? "" : "; ") + h;
        return UndoOutcome::failed({address + " stays on vfio-pci: its IOMMU group is still in use (" + list + ")",
                                    "run 'vmrun restore' again once that program has ended", address});
    }

    // Unbound first, the override kept: an unbind that does not finish
    // leaves the device as vmrun's (no driver, override vfio-pci), which the
    // next restore recognises and completes.
    if (now != original)
        if (auto err = unbind(d, address, limits.driver_change, limits.sysfs_write); !err.empty())
            return UndoOutcome::failed({err, "run 'vmrun restore' again", address});
    // An empty write clears the override ("(null)"); the kernel ignores the newline.
    if (auto err = write_attribute(d.override_file, original_override, limits.sysfs_write); !err.empty())
        return UndoOutcome::failed({err, "run 'vmrun restore' again", address});
    // Off vfio-pci and reading 0xffff (D3cold, a reset that wedged it): its
    // driver's probe could not work. One remove + rescan (which probes it too).
    auto revived = bring_back_if_dead(sysroot, *parse_pci_address(address));
    if (!revived.answers)
        return UndoOutcome::failed({revived.text + " (vmrun refuses to start a VM with it until it answers again)", "", address});
    if (revived.rescanned) {
        if (!original.empty() && !wait_until([&] { return d.driver() == original; }, limits.driver_change))
            return UndoOutcome::failed({revived.text + ", but not on " + original + " (driver now: " + shown(d.driver()) + ")",
                                        "echo " + address + " > /sys/bus/pci/drivers/" + original + "/bind", address});
        return UndoOutcome::done(revived.text + (original.empty() ? "" : ", back on " + original));
    }
    if (now != original) {
        if (!original.empty()) {
            if (auto err = write_attribute(d.probe, address, limits.sysfs_write); !err.empty())
                return UndoOutcome::failed({err, "echo " + address + " > /sys/bus/pci/drivers/" + original + "/bind", address});
            if (!wait_until([&] { return d.driver() == original; }, limits.driver_change)) {
                auto back = d.driver();
                return UndoOutcome::failed({address + " did not go back to " + original + " (driver now: " + shown(back) + ")",
                                            "echo " + address + " > /sys/bus/pci/drivers/" + original + "/bind", address});
            }
        }
    }
    // No driver before: it had none, or its module was unloaded for it (a single-GPU handoff loads it again next).
    return UndoOutcome::done(original.empty() ? address + " released by vfio-pci (it had no driver before)" : address + " back on " + original);
}

UndoOutcome release_device(Journal& journal, const std::string& address) {
    // The first entry for the address after its last settlement holds the state before this VM.
    auto original = journal.unsettled("pci-driver", "pci:" + address);
    if (!original) return UndoOutcome::left_alone(address + " was not bound to vfio-pci by vmrun for this VM; left as it is");
    auto outcome = restore_pci_driver(*original);
    if (outcome.kind == UndoOutcome::Kind::failed) return outcome;
    if (auto ec = journal.record(settled_entry("pci:" + address)))
        return UndoOutcome::failed({"gave " + address + " back, but cannot record it in " + journal.path() + ": " + ec.message(),
                                    "run 'vmrun restore' once it can be written", journal.path()});
    return outcome;
}

}  // namespace vmrun
