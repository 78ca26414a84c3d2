#include "vm/qmp_connect.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace vmrun {

std::unique_ptr<qmp::Client> connect_qmp(const std::string& socket, const std::string& vm_name, qmp::Timeouts timeouts) {
    auto logger = [](qmp::LogLevel level, std::string_view msg) {
        if (level == qmp::LogLevel::warn) spdlog::warn("{}", msg);
        else spdlog::debug("{}", msg);
    };
    auto client = std::make_unique<qmp::Client>(logger, timeouts);
    if (auto ec = client->connect_unix(socket)) {
        std::cerr << "vmrun: cannot reach " << (vm_name.empty() ? socket : vm_name) << " over QMP: " << ec.message() << " ("
                  << client->failure_detail() << ")\n";
        if (ec == qmp::errc::no_greeting)
            std::cerr << "  another client may be holding the monitor; QEMU serves one at a time\n";
        else if (!vm_name.empty())
            std::cerr << "  is it running? 'vmrun list' shows the running VMs\n";
        return nullptr;
    }
    return client;
}

}  // namespace vmrun
