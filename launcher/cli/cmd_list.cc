// vmrun list: the running VMs with their pids, uptime and run state.

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iomanip>
#include <iostream>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "vm/running_vms.h"

namespace vmrun::cli {

namespace {

std::string uptime_text(std::optional<long> secs) {
    if (!secs) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", *secs / 3600, *secs / 60 % 60, *secs % 60);
    return buf;
}

}  // namespace

int run_list(const ParsedArgs& args) {
    auto vms = running_vms();
    if (args.flag("json")) {
        auto out = nlohmann::json::array();
        for (const auto& vm : vms) {
            nlohmann::json j = {{"name", vm.name}, {"supervisor_pid", vm.supervisor}, {"qemu_pid", vm.qemu}, {"state", vm.state}};
            j["uptime_seconds"] = vm.uptime_seconds ? nlohmann::json(*vm.uptime_seconds) : nlohmann::json();
            out.push_back(j);
        }
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::cout << std::left << std::setw(20) << "NAME" << std::setw(12) << "SUPERVISOR" << std::setw(10) << "QEMU"
              << std::setw(12) << "UPTIME" << "STATE\n";
    for (const auto& vm : vms)
        std::cout << std::setw(20) << vm.name << std::setw(12) << vm.supervisor << std::setw(10) << vm.qemu << std::setw(12)
                  << uptime_text(vm.uptime_seconds) << vm.state << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
