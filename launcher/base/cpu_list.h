#pragma once
// The kernel's CPU list notation, "0-3,8,10-11", as sysfs (cpu/online) and
// /proc/PID/status (Cpus_allowed_list) write it.

#include <optional>
#include <string>
#include <vector>

namespace vmrun {

// Sorted, without duplicates; nullopt for anything else than the notation.
std::optional<std::vector<int>> parse_cpu_list(const std::string& text);

// The shortest notation for `cpus` (any order, duplicates ignored); "" for none.
std::string format_cpu_list(std::vector<int> cpus);

}  // namespace vmrun
