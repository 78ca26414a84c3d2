// vmrun agent NAME COMMAND [JSON] [--timeout S]: one QEMU guest agent command
// in a running VM (vm/guest_agent), its answer printed as JSON.

#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/vm_target.h"
#include "vm/guest_agent.h"

namespace vmrun::cli {

int run_agent(const ParsedArgs& args) {
    auto folder = vm_named(args);
    if (!folder) return kExitUsage;
    if (!folders_trusted(*folder)) return kExitFailure;
    auto command = args.positional("COMMAND");
    nlohmann::json arguments;
    if (auto text = args.positional("JSON"); !text.empty()) {
        arguments = nlohmann::json::parse(text, nullptr, false);
        if (arguments.is_discarded() || !arguments.is_object()) {
            std::cerr << "vmrun agent: JSON is the command's arguments as one JSON object, like '{\"mode\": \"powerdown\"}'\n";
            return kExitUsage;
        }
    }
    auto timeout = std::chrono::milliseconds(long(args.seconds_or("timeout", 10) * 1000));
    auto agent = connect_guest_agent(*folder, timeout);
    if (!agent.client) {
        std::cerr << "vmrun agent: " << agent.failure->text() << "\n";
        return kExitFailure;
    }
    // These answer nothing when they work: the guest going down is the answer.
    if (command == "guest-shutdown" || command.rfind("guest-suspend-", 0) == 0) {
        if (auto ec = agent.client->send_without_reply(command, arguments)) {
            std::cerr << "vmrun agent: " << agent.client->failure_detail() << "\n";
            return kExitFailure;
        }
        std::cout << "{}\n";
        return kExitOk;
    }
    auto reply = agent.client->execute(command, arguments);
    if (!reply) {
        std::cerr << "vmrun agent: " << command << ": " << (reply.ec == qmp::errc::command_failed ? reply.describe() : agent.client->failure_detail())
                  << "\n";
        return kExitFailure;
    }
    std::cout << reply.value.dump(2) << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
