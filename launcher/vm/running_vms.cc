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

// Folder names under the parent of a VM folder (runtime or state), sorted.
std::vector<std::string> vm_folder_names(bool runtime) {
    auto probe = vm_paths_for("x");
    auto base = std::filesystem::path(runtime ? probe.runtime_dir : probe.state_dir).parent_path();
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(base, ec))
        if (e.is_directory(ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::vector<std::string> running_vm_names() {
    std::vector<std::string> out;
    for (const auto& name : vm_folder_names(true)) {
        pid_t holder = 0;
        if (vm_running(vm_paths_for(name), holder)) out.push_back(name);
    }
    return out;
}

std::vector<std::string> known_vm_names() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& name : vm_folder_names(false))
        if (std::filesystem::exists(vm_paths_for(name).journal_file(), ec)) out.push_back(name);
    return out;
}

std::vector<RunningVm> running_vms() {
    std::vector<RunningVm> out;
    for (const auto& name : vm_folder_names(true)) {
        auto f = vm_paths_for(name);
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
    return out;
}

}  // namespace vmrun
