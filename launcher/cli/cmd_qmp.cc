// vmrun qmp NAME COMMAND [JSON-ARGS]: one raw QMP command, pretty JSON out.

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/vm_target.h"
#include "vm/qmp_connect.h"

namespace vmrun::cli {

int run_qmp(const ParsedArgs& args) {
    auto target = resolve_target(args);
    if (!target) return kExitUsage;
    auto command = args.positional("COMMAND");
    auto json = args.positional("JSON-ARGUMENTS");
    qmp::Json arguments;
    if (!json.empty()) {
        arguments = qmp::Json::parse(json, nullptr, false);
        if (arguments.is_discarded() || !arguments.is_object()) {
            std::cerr << "vmrun qmp: arguments must be a JSON object, like '{\"id\": \"net1\"}'\n";
            return kExitUsage;
        }
    }
    auto client = connect_qmp(target->qmp_socket, target->folder.name);
    if (!client) return kExitFailure;
    auto reply = client->execute(command, arguments);
    if (!reply) {
        std::cerr << "vmrun: " << command << ": " << reply.describe() << "\n";
        return kExitFailure;
    }
    std::cout << reply.value.dump(2) << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
