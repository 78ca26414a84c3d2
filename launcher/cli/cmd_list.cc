// vmrun list: the running VMs with their pids, uptime and run state.

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "qmp/client.h"
#include "cli/command.h"
#include "cli/qmp_answers.h"
#include "base/exit_codes.h"
#include "host/process_watch.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"

namespace vmrun::cli {

namespace {

struct RunningVm {
    std::string name, state;
    pid_t supervisor = 0, qemu = 0;
    std::optional<long> uptime_seconds;
};

std::optional<long> uptime_of(pid_t pid) {
    auto ticks = process_start_time(pid);
    std::ifstream in("/proc/uptime");
    double up = 0;
    if (!ticks || !(in >> up)) return std::nullopt;
    return long(up - double(*ticks) / double(sysconf(_SC_CLK_TCK)));
}

std::string uptime_text(std::optional<long> secs) {
    if (!secs) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", *secs / 3600, *secs / 60 % 60, *secs % 60);
    return buf;
}

std::vector<RunningVm> running_vms() {
    std::vector<RunningVm> out;
    auto base = std::filesystem::path(vm_paths_for("x").runtime_dir).parent_path();
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
        auto f = vm_paths_for(entry.path().filename().string());
        RunningVm vm;
        vm.name = f.name;
        if (!vm_running(f, vm.supervisor)) continue;
        vm.qemu = read_pid_file(f.qemu_pid_file()).value_or(0);
        vm.uptime_seconds = uptime_of(vm.qemu);
        vm.state = "?";
        qmp::Timeouts t;
        t.connect = std::chrono::milliseconds(1000);
        t.command = std::chrono::milliseconds(1000);
        qmp::Client c({}, t);
        if (!c.connect_unix(f.qmp_socket())) {
            auto r = c.execute("query-status");
            if (r) vm.state = run_state_in(r.value);
        } else {
            vm.state = "busy";  // another client holds the monitor
        }
        out.push_back(vm);
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return out;
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
