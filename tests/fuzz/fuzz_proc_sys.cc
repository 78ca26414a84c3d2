// libFuzzer target: any bytes as the text of the /proc and /sys files vmrun
// reads — mountinfo (disk users, hugetlbfs mounts), interrupts, cpuinfo,
// PID/cgroup, PID/stat (whose command name a process chooses), a CPU list,
// hugetlbfs's pagesize=, nvidia's information file. Every reader gets the
// same bytes: one seed helps them all, and a reader never cares what a file
// was meant to be. Invariants: nothing aborts or throws; what each gives is
// of its own shape (below).

#include <cstdint>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include "base/cpu_list.h"
#include "host/block/block_users.h"
#include "host/display/display_handoff.h"
#include "host/host_readings.h"
#include "host/memory/hugepage_pool.h"
#include "host/pci/host_usage.h"
#include "host/process_watch.h"

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    std::string first_line = text.substr(0, text.find('\n'));

    std::istringstream lines(text);
    for (std::string line, dev, target, fstype, source; std::getline(lines, line);)
        if (vmrun::parse_mountinfo_line(line, dev, target, fstype, source) && line.find('\\') == std::string::npos &&
            line.find(target) == std::string::npos)
            std::abort();  // nothing to unescape, so the mount point is in the line as it is

    for (const auto& [kib, point] : vmrun::parse_hugetlbfs_mounts(text, 2048))
        if (kib == 0 || point.find('\\') != std::string::npos) std::abort();
    (void)vmrun::parse_page_size_kib(first_line);

    (void)vmrun::parse_interrupt_remapping(text);
    std::string vendor;
    std::set<std::string> flags;
    vmrun::parse_cpuinfo(text, vendor, flags);

    auto unit = vmrun::parse_process_unit(text);
    if (!unit.unit.empty() && !ends_with(unit.unit, ".service") && !ends_with(unit.unit, ".scope")) std::abort();
    if (!unit.user_manager.empty() && unit.user_manager.rfind("user@", 0) != 0) std::abort();

    (void)vmrun::parse_proc_stat(first_line);

    if (auto cpus = vmrun::parse_cpu_list(first_line)) {
        for (size_t i = 0; i < cpus->size(); ++i)
            if ((*cpus)[i] < 0 || (i > 0 && (*cpus)[i] <= (*cpus)[i - 1])) std::abort();  // sorted, no CPU twice
        if (vmrun::parse_cpu_list(vmrun::format_cpu_list(*cpus)) != cpus) std::abort();
    }

    auto minor = vmrun::parse_nvidia_minor(text);
    if (minor.find_first_not_of("0123456789") != std::string::npos) std::abort();
    return 0;
}
