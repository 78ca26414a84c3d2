// vmrun list: the running VMs with their pids, uptime and run state.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "qmp/client.h"
#include "cli/command.h"
#include "base/exit_codes.h"
#include "host/process_watch.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"

namespace vmrun::cli {

namespace {
std::string uptime_of(pid_t pid) {
    auto ticks = process_start_time(pid);
    std::ifstream in("/proc/uptime");
    double up = 0;
    if (!ticks || !(in >> up)) return "-";
    long secs = long(up - double(*ticks) / double(sysconf(_SC_CLK_TCK)));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", secs / 3600, secs / 60 % 60, secs % 60);
    return buf;
}
}  // namespace

int run_list(const ParsedArgs&) {
    auto base = std::filesystem::path(vm_paths_for("x").runtime_dir).parent_path();
    std::cout << std::left << std::setw(20) << "NAME" << std::setw(12) << "SUPERVISOR" << std::setw(10) << "QEMU"
              << std::setw(12) << "UPTIME" << "STATE\n";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
        auto f = vm_paths_for(entry.path().filename().string());
        pid_t supervisor = 0;
        if (!vm_running(f, supervisor)) continue;
        auto qemu = read_pid_file(f.qemu_pid_file()).value_or(0);
        std::string state = "?";
        qmp::Timeouts t;
        t.connect = std::chrono::milliseconds(1000);
        t.command = std::chrono::milliseconds(1000);
        qmp::Client c({}, t);
        if (!c.connect_unix(f.qmp_socket())) {
            auto r = c.execute("query-status");
            if (r) state = r.value.value("status", "?");
        } else {
            state = "busy";  // another client holds the monitor
        }
        std::cout << std::setw(20) << f.name << std::setw(12) << supervisor << std::setw(10) << qemu << std::setw(12)
                  << uptime_of(qemu) << state << "\n";
    }
    return kExitOk;
}

}  // namespace vmrun::cli
