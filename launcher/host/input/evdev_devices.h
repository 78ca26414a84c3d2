#pragma once
// The host's evdev devices a profile hands to the guest (input-linux): each
// must be there and be an event device (/dev/input/eventN, character major
// 13), not the legacy /dev/input/mouseN or a by-id link without "event".
// Read through a sysroot; changes nothing.

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "host/journal.h"
#include "plan/launch_plan.h"

namespace vmrun {

// "" when `path` (under `sysroot`) is an evdev event device, else what is wrong.
std::string evdev_problem(const std::string& sysroot, const std::string& path);

std::vector<Failure> input_problems(const LaunchPlan& plan);

// A device hotplugged into a QEMU that dropped to a run_as user is opened
// (read and write) as that user. When it cannot, the device becomes the
// user's (owner, u+rw) until the VM ends: journaled first, the owner, group
// and mode put back by the replay.
struct EvdevGrant {
    std::string done;                // what was done; "" when nothing was needed
    std::optional<Failure> failure;  // nothing was lent (where: the device)
};
EvdevGrant grant_evdev_access(const std::string& sysroot, const std::string& path, uid_t uid, gid_t gid, Journal& journal);
// After a hotplug that did not happen: the node lent for it goes back at
// once (and is settled in the journal).
UndoOutcome give_back_evdev_access(Journal& journal, const std::string& node);
std::string check_evdev_access_entry(const nlohmann::json& args);
UndoOutcome restore_evdev_access(const nlohmann::json& args);

}  // namespace vmrun
