// vmrun qmp NAME COMMAND [JSON-ARGS]: one raw QMP command, pretty JSON out.

#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/qmp_connect.h"

namespace vmrun::cli {

int run_qmp(const std::vector<std::string>& in) {
    auto args = in;
    const char* usage = "usage: vmrun qmp NAME|--qmp PATH COMMAND [JSON-ARGUMENTS]\n";
    auto target = take_target(args, usage);
    if (!target) return kExitUsage;
    if (args.empty() || args.size() > 2) {
        std::cerr << usage;
        return kExitUsage;
    }
    qmp::Json arguments;
    if (args.size() == 2) {
        arguments = qmp::Json::parse(args[1], nullptr, false);
        if (arguments.is_discarded() || !arguments.is_object()) {
            std::cerr << "vmrun qmp: arguments must be a JSON object, like '{\"id\": \"net1\"}'\n";
            return kExitUsage;
        }
    }
    auto client = connect_qmp(target->qmp_socket, target->folder.name);
    if (!client) return kExitFailure;
    auto reply = client->execute(args[0], arguments);
    if (!reply) {
        std::cerr << "vmrun: " << args[0] << ": " << reply.describe() << "\n";
        return kExitFailure;
    }
    std::cout << reply.value.dump(2) << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
