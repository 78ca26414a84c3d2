#pragma once
// SR-IOV virtual functions: the facts a profile's pf/vf items need, creating
// the VFs a VM needs (journaled before the write), and giving the count back
// once no VF of that PF is left with a VM.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/failure.h"
#include "host/journal.h"
#include "host/pci/pci_sysfs.h"
#include "plan/host_facts.h"
#include "plan/launch_plan.h"
#include "profile/profile.h"

namespace vmrun {

// Fills facts.sriov for every PF a pf/vf item names, and facts.virtual_functions
// for every listed host that is a VF.
void read_sriov_facts(HostFacts& facts, const Profile& profile);

// The profile's passthrough addresses that exist now: without the VFs this
// start is about to create (inspected once they exist).
std::vector<PciAddress> existing_passthrough_addresses(const LaunchPlan& plan);
// What stops the VFs from being made: a PF whose non-zero count is too low
// (the kernel changes a count only from 0).
std::vector<Failure> sriov_problems(const LaunchPlan& plan);

// Raises the PF's VF count from 0 to `r.needed`: journals {pf, before, asked}
// before the write, then waits until the kernel shows every VF (where of a
// failure: the PF). A kernel that refuses leaves the journal entry, whose
// undo finds nothing to lower.
std::optional<Failure> create_virtual_functions(const std::string& sysroot, const SriovPlan& r, Journal& journal);

// The journal's "sriov-vfs" entries: the check, and the undo, which lowers the
// count back to what it was — unless a VF of that PF is still on vfio-pci
// (another VM has it), when the VFs are left and the undo says so.
std::string check_sriov_entry(const nlohmann::json& args);
UndoOutcome restore_sriov_count(const nlohmann::json& args);

}  // namespace vmrun
