#pragma once
// Talking to a running VM's QEMU guest agent (guest_agent: true): one
// command, and what 'vmrun status' shows of the guest through it.

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "base/failure.h"
#include "plan/vm_paths.h"
#include "qmp/agent_client.h"

namespace vmrun {

// Connected and synchronised, or why not, with the fix.
struct AgentConnection {
    std::unique_ptr<qmp::AgentClient> client;
    std::optional<Failure> failure;
};
AgentConnection connect_guest_agent(const VmPaths& vm, qmp::Duration timeout);

// {version, interfaces: [{name, addresses: ["10.0.2.15/24", ...]}]} (loopback
// left out), or {answering: false, why} when the agent does not answer.
nlohmann::json guest_agent_summary(const VmPaths& vm, qmp::Duration timeout);

}  // namespace vmrun
