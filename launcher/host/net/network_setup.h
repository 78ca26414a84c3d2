#pragma once
// The host side of a profile's tap NICs: for each, the bridge it joins (created
// when the profile says create_bridge and it is missing), a fresh tap with the
// bridge's MTU, enslaved and up, its fd to be handed to QEMU. Every change is
// journaled before it is made; the undo (host_restore) deletes what is left.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "host/journal.h"
#include "plan/launch_plan.h"

namespace vmrun {

struct OpenTapFd {
    std::string nic_id;
    std::string name;
    int fd = -1;
};

struct NetworkSetup {
    std::vector<OpenTapFd> taps;  // the caller closes these once QEMU has them
    std::optional<Failure> failure;  // set when it stopped halfway; the journal undoes the rest
};

struct TapRequest {
    std::string nic_id, tap, bridge;
    bool create_bridge = false;
};

// The tap NICs of a plan.
std::vector<TapRequest> tap_requests(const LaunchPlan& plan);

NetworkSetup set_up_taps(const std::vector<TapRequest>& requests, Journal& journal);

// What stops the setup before any change: a missing bridge (unless it may be
// created), a link that is not a bridge, a tap name already in use.
// Empty when all is well.
std::vector<Failure> check_taps(const std::vector<TapRequest>& requests);

// Undo of the journal actions "tap" and "bridge" (host_restore registers them).
UndoOutcome remove_tap(const nlohmann::json& args);
UndoOutcome remove_bridge(const nlohmann::json& args);

void close_taps(NetworkSetup& setup);

}  // namespace vmrun
