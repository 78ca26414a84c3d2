#pragma once
// The VMs running on this host (those whose supervisor holds the instance
// lock), with their pids, uptime and run state: what 'vmrun list' shows.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace vmrun {

struct RunningVm {
    std::string name;
    std::string state;  // QEMU's run state; "busy" while another client holds its monitor, "?" unknown
    pid_t supervisor = 0, qemu = 0;
    std::optional<long> uptime_seconds;
};

// Sorted by name. Each VM's monitor is asked with a one-second limit.
std::vector<RunningVm> running_vms();

// The names alone, sorted, without asking any monitor.
std::vector<std::string> running_vm_names();

// VMs with a journal (running, stopped, or left behind by a crash), sorted.
std::vector<std::string> known_vm_names();

}  // namespace vmrun
