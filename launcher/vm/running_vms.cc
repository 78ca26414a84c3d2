#include "vm/running_vms.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "host/process_watch.h"
#include "plan/qmp_answers.h"
#include "qmp/client.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"

namespace vmrun {

namespace {

std::optional<long> uptime_of(pid_t pid) {
    auto ticks = process_start_time(pid);
    std::ifstream in("/proc/uptime");
    double up = 0;
    if (!ticks || !(in >> up)) return std::nullopt;
    return long(up - double(*ticks) / double(sysconf(_SC_CLK_TCK)));
}

}  // namespace

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

}  // namespace vmrun
