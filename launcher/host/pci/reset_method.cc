#include "host/pci/reset_method.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/join.h"
#include "host/journal_args.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

// vendor-reset's device table (gnif/vendor-reset, src/device-db.h): Polaris
// 10/11/12, Vega 10/20, Navi 10/12/14.
constexpr uint16_t kVendorResetIds[] = {
    0x67c0, 0x67c1, 0x67c2, 0x67c4, 0x67c7, 0x67c8, 0x67c9, 0x67ca, 0x67cc, 0x67cf, 0x67d0, 0x67df, 0x6fdf,  // Polaris 10
    0x67e0, 0x67e1, 0x67e3, 0x67e7, 0x67e8, 0x67e9, 0x67eb, 0x67ef, 0x67ff,                                  // Polaris 11
    0x6980, 0x6981, 0x6985, 0x6986, 0x6987, 0x6995, 0x6997, 0x699f,                                          // Polaris 12
    0x6860, 0x6861, 0x6862, 0x6863, 0x6864, 0x6867, 0x6868, 0x6869, 0x686a, 0x686b, 0x686c, 0x686d, 0x686e,
    0x686f, 0x687f,                                                                                          // Vega 10
    0x66a0, 0x66a1, 0x66a2, 0x66a3, 0x66a4, 0x66a7, 0x66af,                                                  // Vega 20
    0x7310, 0x7312, 0x7318, 0x7319, 0x731a, 0x731b, 0x731e, 0x731f,                                          // Navi 10
    0x7360, 0x7362,                                                                                          // Navi 12
    0x7340, 0x7341, 0x7347, 0x734f,                                                                          // Navi 14
};

constexpr auto kResetWriteLimit = std::chrono::seconds(5);

}  // namespace

std::optional<std::vector<std::string>> read_reset_methods(const std::string& sysroot, const PciAddress& address) {
    std::ifstream in(pci_device_dir(sysroot, address) / "reset_method");
    if (!in) return std::nullopt;
    std::vector<std::string> out;
    for (std::string m; in >> m;) out.push_back(m);
    return out;
}

bool needs_vendor_reset(const PciFunction& f) {
    return f.vendor == 0x1002 && std::find(std::begin(kVendorResetIds), std::end(kVendorResetIds), f.device) != std::end(kVendorResetIds);
}

bool vendor_reset_loaded(const std::string& sysroot) {
    std::error_code ec;
    return fs::is_directory(fs::path(sysroot) / "sys/module/vendor_reset", ec);
}

bool takes_vendor_reset(const std::string& sysroot, const PciFunction& f) {
    return needs_vendor_reset(f) && vendor_reset_loaded(sysroot);
}

std::vector<Failure> reset_warnings(const std::string& sysroot, const PciFunction& f) {
    std::vector<Failure> out;
    auto methods = read_reset_methods(sysroot, f.address);
    if (needs_vendor_reset(f) && !vendor_reset_loaded(sysroot)) {
        out.push_back({f.address.str() + " [" + f.ids() + "] is an AMD GPU whose own resets fail (the AMD reset bug): after the VM "
                           "stops or reboots it may stay black, or hang the host, until the host reboots",
                       "install vendor-reset (https://github.com/gnif/vendor-reset, dkms) and modprobe vendor-reset; vmrun then "
                       "selects its device_specific reset for the VM's lifetime",
                       f.address.str()});
    } else if (methods && methods->empty() && !f.is_bridge()) {
        out.push_back({f.address.str() + " [" + f.ids() + "] has no reset method (its reset_method is empty): the guest gets it "
                           "as the last boot left it, and a reboot of the guest may not bring it back",
                       "pass the whole slot, or give it back to the host after each VM (a host reboot fixes a stuck one)",
                       f.address.str()});
    }
    return out;
}

std::optional<Failure> choose_vendor_reset(const std::string& sysroot, const PciFunction& f, Journal& journal) {
    if (!takes_vendor_reset(sysroot, f)) return std::nullopt;
    auto methods = read_reset_methods(sysroot, f.address);
    if (!methods || (!methods->empty() && methods->front() == "device_specific")) return std::nullopt;
    auto address = f.address.str();
    nlohmann::json entry = {{"key", "reset:" + address}, {"sysroot", sysroot}, {"address", address}, {"before", join(*methods, " ")}};
    if (auto ec = journal.record({"reset-method", entry})) return journal_failure(journal, ec);
    auto file = pci_device_dir(sysroot, f.address) / "reset_method";
    if (auto err = write_attribute(file, "device_specific", kResetWriteLimit); !err.empty())
        return Failure{"cannot select vendor-reset's reset for " + address + ": " + err,
                       "check that vendor-reset knows this GPU (dmesg), or unload it", file.string()};
    return std::nullopt;
}

std::string check_reset_method_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    if (!args.has_sysroot()) return "no absolute sysfs root";
    auto address = args.text("address");
    if (!address || !parse_pci_address(*address)) return "no valid PCI address";
    auto before = args.text("before");
    if (!before) return "no earlier reset methods";
    for (char c : *before)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ')) return "earlier reset methods that are not method names";
    return "";
}

UndoOutcome restore_reset_method(const nlohmann::json& json) {
    JournalArgs args(json);
    auto address = *parse_pci_address(*args.text("address"));
    auto before = *args.text("before");
    auto file = pci_device_dir(*args.text("sysroot"), address) / "reset_method";
    auto now = read_reset_methods(*args.text("sysroot"), address);
    if (!now) return UndoOutcome::nothing();  // the device is gone (removed, unplugged)
    if (join(*now, " ") == before) return UndoOutcome::nothing();
    // Only vmrun's own choice is undone: anything else is someone else's since.
    if (now->size() != 1 || now->front() != "device_specific")
        return UndoOutcome::left_alone(address.str() + "'s reset_method is '" + join(*now, " ") + "' now, not vmrun's device_specific: left");
    // An empty write restores the kernel's default order; "before" was that, or the user's own list.
    if (auto err = write_attribute(file, before.empty() ? std::string("default") : before, kResetWriteLimit); !err.empty())
        return UndoOutcome::failed({"cannot put back " + address.str() + "'s reset_method (" + before + "): " + err,
                                    "echo '" + (before.empty() ? std::string("default") : before) + "' > " + file.string(), address.str()});
    return UndoOutcome::done(address.str() + "'s reset_method back to '" + before + "'");
}

}  // namespace vmrun
