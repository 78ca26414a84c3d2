#include "vm/guest_agent.h"

#include <filesystem>

namespace vmrun {

AgentConnection connect_guest_agent(const VmPaths& vm, qmp::Duration timeout) {
    AgentConnection out;
    std::error_code fec;
    if (!std::filesystem::exists(vm.agent_socket(), fec)) {
        out.failure = Failure{vm.name + " has no guest agent port (or is not running)",
                              "set 'guest_agent: true' in its profile and start it again", vm.agent_socket()};
        return out;
    }
    auto client = std::make_unique<qmp::AgentClient>(timeout);
    if (auto ec = client->connect_unix(vm.agent_socket())) {
        out.failure = ec == qmp::errc::timeout
                          ? Failure{"the guest agent of " + vm.name + " does not answer (" + client->failure_detail() + ")",
                                    "install and start qemu-guest-agent in the guest (Windows: virtio-win's qemu-ga); a guest still booting answers later",
                                    vm.agent_socket()}
                          : Failure{"cannot reach the guest agent of " + vm.name + ": " + client->failure_detail(), "", vm.agent_socket()};
        return out;
    }
    out.client = std::move(client);
    return out;
}

nlohmann::json guest_agent_summary(const VmPaths& vm, qmp::Duration timeout) {
    auto agent = connect_guest_agent(vm, timeout);
    if (!agent.client) return {{"answering", false}, {"why", agent.failure->what}};
    nlohmann::json out = {{"answering", true}};
    if (auto info = agent.client->execute("guest-info"); info && info.value.is_object() && info.value.contains("version") &&
                                                         info.value["version"].is_string())
        out["version"] = info.value["version"];
    out["interfaces"] = nlohmann::json::array();
    auto nics = agent.client->execute("guest-network-get-interfaces");
    if (!nics || !nics.value.is_array()) return out;
    // The guest's own words: only the fields shown are read, each checked.
    for (const auto& nic : nics.value) {
        if (!nic.is_object() || !nic.contains("name") || !nic["name"].is_string() || nic["name"] == "lo") continue;
        nlohmann::json shown = {{"name", nic["name"]}, {"addresses", nlohmann::json::array()}};
        if (nic.contains("ip-addresses") && nic["ip-addresses"].is_array())
            for (const auto& a : nic["ip-addresses"])
                if (a.is_object() && a.contains("ip-address") && a["ip-address"].is_string() && a.contains("prefix") &&
                    a["prefix"].is_number_integer())
                    shown["addresses"].push_back(a["ip-address"].get<std::string>() + "/" + std::to_string(a["prefix"].get<int>()));
        out["interfaces"].push_back(shown);
        if (out["interfaces"].size() >= 64) break;
    }
    return out;
}

}  // namespace vmrun
