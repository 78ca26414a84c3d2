#include "host/pci/sriov.h"

#include <algorithm>
#include <filesystem>

#include "host/journal_args.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

fs::path device_dir(const std::string& sysroot, const PciAddress& a) {
    return fs::path(sysroot) / "sys/bus/pci/devices" / a.str();
}

std::optional<unsigned> read_count(const fs::path& file) {
    auto text = read_first_line(file);
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 6) return std::nullopt;
    return unsigned(std::stoul(text));
}

// The VFs the kernel shows under the PF now (virtfn0, virtfn1, ...), by index.
std::map<unsigned, PciAddress> virtfn_links(const fs::path& pf_dir) {
    std::map<unsigned, PciAddress> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(pf_dir, ec)) {
        auto name = e.path().filename().string();
        if (name.rfind("virtfn", 0) != 0 || name.size() == 6 || name.find_first_not_of("0123456789", 6) != std::string::npos) continue;
        if (auto a = parse_pci_address(symlink_name(e.path()))) out[unsigned(std::stoul(name.substr(6)))] = *a;
    }
    return out;
}

}  // namespace

std::optional<SriovFacts> read_sriov(const std::string& sysroot, const PciAddress& pf) {
    auto dir = device_dir(sysroot, pf);
    auto total = read_count(dir / "sriov_totalvfs");
    if (!total) return std::nullopt;
    SriovFacts f;
    f.total_vfs = *total;
    f.num_vfs = read_count(dir / "sriov_numvfs").value_or(0);
    f.offset = read_count(dir / "sriov_offset").value_or(0);
    f.stride = read_count(dir / "sriov_stride").value_or(0);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / "net", ec)) {
        f.netdev = e.path().filename().string();
        break;
    }
    return f;
}

bool is_virtual_function(const std::string& sysroot, const PciAddress& address) {
    std::error_code ec;
    return fs::is_symlink(device_dir(sysroot, address) / "physfn", ec);
}

std::optional<VfOrigin> virtual_function_origin(const std::string& sysroot, const PciAddress& address) {
    auto pf = parse_pci_address(symlink_name(device_dir(sysroot, address) / "physfn"));
    if (!pf) return std::nullopt;
    for (const auto& [index, vf] : virtfn_links(device_dir(sysroot, *pf)))
        if (vf == address) return VfOrigin{*pf, index};
    return std::nullopt;
}

void read_sriov_facts(HostFacts& facts, const Profile& profile) {
    for (const auto& x : profile.passthrough) {
        if (x.vf) {
            if (auto f = read_sriov(facts.sysroot, x.vf->pf)) facts.sriov[x.vf->pf] = *f;
        } else if (is_virtual_function(facts.sysroot, x.host)) {
            facts.virtual_functions.insert(x.host);
        }
    }
}

std::vector<PciAddress> existing_passthrough_addresses(const LaunchPlan& plan) {
    std::vector<PciAddress> out;
    for (const auto& x : plan.profile.passthrough) {
        if (x.vf) {
            auto r = std::find_if(plan.sriov.begin(), plan.sriov.end(), [&](auto& s) { return s.pf == x.vf->pf; });
            if (r != plan.sriov.end() && x.vf->index >= r->existing) continue;
        }
        out.push_back(x.host);
    }
    return out;
}

std::vector<HostProblem> sriov_problems(const LaunchPlan& plan) {
    std::vector<HostProblem> out;
    for (const auto& r : plan.sriov)
        if (r.create() && r.existing != 0)
            out.push_back({r.pf.str() + " has " + std::to_string(r.existing) + " virtual functions and line " + std::to_string(r.at.line) +
                               " asks for vf " + std::to_string(r.needed - 1) + "; the kernel changes a VF count only from 0",
                           "free its VFs and run 'echo 0 > /sys/bus/pci/devices/" + r.pf.str() +
                               "/sriov_numvfs' (vmrun then creates " + std::to_string(r.needed) + "), or use a vf below " +
                               std::to_string(r.existing)});
    return out;
}

std::string create_virtual_functions(const std::string& sysroot, const SriovPlan& r, Journal& journal) {
    auto dir = device_dir(sysroot, r.pf);
    auto now = read_count(dir / "sriov_numvfs").value_or(0);
    if (now >= r.needed) return "";
    if (now != 0)
        return r.pf.str() + " has " + std::to_string(now) + " virtual functions and this VM needs " + std::to_string(r.needed) +
               "; the kernel changes a VF count only from 0";
    nlohmann::json entry = {{"key", "sriov:" + r.pf.str()}, {"sysroot", sysroot}, {"pf", r.pf.str()},
                            {"before", now}, {"asked", r.needed}, {"boot", boot_id(sysroot)}};
    if (auto err = journal.record({"sriov-vfs", entry})) return "cannot write the journal: " + err.message();
    if (auto err = write_attribute(dir / "sriov_numvfs", std::to_string(r.needed)); !err.empty())
        return err + " (the PF's driver must support SR-IOV; see dmesg)";
    // The kernel adds the VFs before the write returns; udev and a simulated kernel may lag.
    if (!wait_until([&] { return virtfn_links(dir).size() >= r.needed; }, std::chrono::seconds(10)))
        return r.pf.str() + ": asked for " + std::to_string(r.needed) + " virtual functions, the kernel shows " +
               std::to_string(virtfn_links(dir).size());
    return "";
}

std::string check_sriov_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    auto pf = args.text("pf");
    if (!pf || !parse_pci_address(*pf)) return "no valid PCI address";
    if (!args.has_sysroot()) return "no absolute sysfs root";
    auto before = args.count("before"), asked = args.count("asked");
    if (!before || !asked || *asked > 65535 || *before > *asked) return "no valid VF counts";
    return "";
}

std::string restore_sriov_count(const nlohmann::json& json, std::string& error) {
    JournalArgs args(json);
    auto sysroot = *args.text("sysroot");
    auto pf = *parse_pci_address(*args.text("pf"));
    auto before = *args.count("before");
    // VFs made before the last boot are gone with it; these are someone else's.
    if (args.text("boot").value_or("") != boot_id(sysroot)) return "";
    auto dir = device_dir(sysroot, pf);
    auto now = read_count(dir / "sriov_numvfs");
    if (!now || *now == before) return "";
    for (const auto& [index, vf] : virtfn_links(dir))
        if (symlink_name(device_dir(sysroot, vf) / "driver") == "vfio-pci")
            return "left " + std::to_string(*now) + " virtual functions on " + pf.str() + ": VF " + std::to_string(index) + " (" +
                   vf.str() + ") is still on vfio-pci, with another VM; lower sriov_numvfs once it is free";
    if (auto err = write_attribute(dir / "sriov_numvfs", std::to_string(before)); !err.empty()) {
        error = err;
        return "";
    }
    return pf.str() + " back to " + std::to_string(before) + " virtual functions";
}

}  // namespace vmrun
