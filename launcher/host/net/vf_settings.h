#pragma once
// A NIC virtual function's MAC, VLAN, spoof checking and trust, set on its
// physical function over rtnetlink for the VM's lifetime: what it was is
// journaled before each change, and the undo puts it back.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/failure.h"
#include "host/journal.h"
#include "plan/launch_plan.h"

namespace vmrun {

// Sets each item's settings, stopping at the first failure (where: the PF;
// earlier changes are journaled, so the teardown puts them back).
std::optional<Failure> apply_vf_net_settings(const std::string& sysroot, const std::vector<VfNetPlan>& items, Journal& journal);

// "vf-net" journal entries: the check, and the undo. A VF gone since (its PF's
// count lowered) or an entry from an earlier boot needs nothing.
std::string check_vf_net_entry(const nlohmann::json& args);
UndoOutcome restore_vf_net(const nlohmann::json& args);

// "mac 52:54:00:12:34:56, vlan 10, spoof checking off, trusted" for check and logs.
std::string describe_vf_net(const VfNetSettings& s);

}  // namespace vmrun
