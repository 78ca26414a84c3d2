#include "host/pci/sriov.h"

#include <algorithm>
#include <filesystem>

#include "host/journal_args.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

// Making or removing VFs probes or removes each with its driver: slow on a
// NIC with many, and on an emulated NVMe under TCG, but not endless.
constexpr std::chrono::milliseconds kVfCountWriteLimit{300000};

namespace {

}  // namespace

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

std::vector<Failure> sriov_problems(const LaunchPlan& plan) {
    std::vector<Failure> out;
    for (const auto& r : plan.sriov)
        if (r.create() && r.existing != 0)
            out.push_back({r.pf.str() + " has " + std::to_string(r.existing) + " virtual functions and line " + std::to_string(r.at.line) +
                               " asks for vf " + std::to_string(r.needed - 1) + "; the kernel changes a VF count only from 0",
                           "free its VFs and run 'echo 0 > /sys/bus/pci/devices/" + r.pf.str() +
                               "/sriov_numvfs' (vmrun then creates " + std::to_string(r.needed) + "), or use a vf below " +
                               std::to_string(r.existing)});
    return out;
}

std::optional<Failure> create_virtual_functions(const std::string& sysroot, const SriovPlan& r, Journal& journal) {
    auto dir = pci_device_dir(sysroot, r.pf);
    auto facts = read_sriov(sysroot, r.pf);
    auto now = facts ? facts->num_vfs : 0;
    const auto pf = r.pf.str();
    if (now >= r.needed) return std::nullopt;
    if (now != 0)
        return Failure{pf + " has " + std::to_string(now) + " virtual functions and this VM needs " + std::to_string(r.needed) +
                           "; the kernel changes a VF count only from 0",
                       "stop what uses its VFs and set " + (dir / "sriov_numvfs").string() + " to 0, or ask for at most " +
                           std::to_string(now),
                       pf};
    nlohmann::json entry = {{"key", "sriov:" + pf}, {"sysroot", sysroot}, {"pf", pf}, {"before", now}, {"asked", r.needed}};
    if (auto err = journal.record({"sriov-vfs", entry})) return journal_failure(journal, err);
    if (auto err = write_attribute(dir / "sriov_numvfs", std::to_string(r.needed), kVfCountWriteLimit); !err.empty())
        return Failure{err, "the PF's driver must support SR-IOV; see dmesg", pf};
    // The kernel adds the VFs before the write returns; udev and a simulated kernel may lag.
    if (!wait_until([&] { return virtual_functions_of(sysroot, r.pf).size() >= r.needed; }, std::chrono::seconds(10)))
        return Failure{pf + ": asked for " + std::to_string(r.needed) + " virtual functions, the kernel shows " +
                           std::to_string(virtual_functions_of(sysroot, r.pf).size()),
                       "", pf};
    return std::nullopt;
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

UndoOutcome restore_sriov_count(const nlohmann::json& json) {
    JournalArgs args(json);
    auto sysroot = *args.text("sysroot");
    auto pf = *parse_pci_address(*args.text("pf"));
    auto before = *args.count("before");
    auto asked = *args.count("asked");
    auto dir = pci_device_dir(sysroot, pf);
    auto facts = read_sriov(sysroot, pf);
    if (!facts || facts->num_vfs == before) return UndoOutcome::nothing();
    auto now = facts->num_vfs;
    // Its count set anew since (by the user, or after the VFs were removed): theirs.
    if (now != asked)
        return UndoOutcome::left_alone(pf.str() + " has " + std::to_string(now) + " virtual functions now, not the " + std::to_string(asked) +
                                       " vmrun made: not touched");
    for (const auto& [index, vf] : virtual_functions_of(sysroot, pf))
        if (symlink_name(pci_device_dir(sysroot, vf) / "driver") == "vfio-pci")
            return UndoOutcome::left_alone("left " + std::to_string(now) + " virtual functions on " + pf.str() + ": VF " + std::to_string(index) + " (" +
                   vf.str() + ") is still on vfio-pci, with another VM; lower sriov_numvfs once it is free");
    if (auto err = write_attribute(dir / "sriov_numvfs", std::to_string(before), kVfCountWriteLimit); !err.empty())
        return UndoOutcome::failed({err, "echo " + std::to_string(before) + " > " + (dir / "sriov_numvfs").string(), pf.str()});
    return UndoOutcome::done(pf.str() + " back to " + std::to_string(before) + " virtual functions");
}

}  // namespace vmrun
