#include "host/cpu/cpu_affinity.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/cpu_list.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

std::optional<std::vector<int>> online_cpus(const std::string& sysroot) {
    auto text = read_first_line(fs::path(sysroot) / "sys/devices/system/cpu/online");
    if (text.empty()) return std::nullopt;
    return parse_cpu_list(text);
}

std::vector<Failure> check_pinning_cpus(const std::string& sysroot, const CpuPinning& pin, const std::string& source_file) {
    return pinning_problems(online_cpus(sysroot), pin, source_file);
}

std::vector<Failure> pinning_problems(const std::optional<std::vector<int>>& online, const CpuPinning& pin,
                                          const std::string& source_file) {
    std::vector<Failure> out;
    if (!online) {
        out.push_back({"cannot read the host's online CPUs (sys/devices/system/cpu/online)",
                       "mount sysfs, or remove 'cpu.pin' from " + source_file});
        return out;
    }
    auto check = [&](const std::vector<int>& cpus, const std::string& key) {
        for (int c : cpus)
            if (!std::binary_search(online->begin(), online->end(), c))
                out.push_back({"host CPU " + std::to_string(c) + " in cpu.pin." + key + " is not online on this host (online: " +
                                   format_cpu_list(*online) + ")",
                               "pin to online CPUs in " + source_file + " (lscpu -e lists them with their cores and siblings)"});
    };
    check(pin.vcpus, "vcpus");
    check(pin.emulator, "emulator");
    return out;
}

std::string set_thread_cpus(pid_t tid, const std::vector<int>& cpus) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : cpus)
        if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &set);
    if (::sched_setaffinity(tid, sizeof set, &set) != 0)
        return "cannot pin thread " + std::to_string(tid) + " to CPUs " + format_cpu_list(cpus) + ": " + std::strerror(errno);
    return "";
}

std::optional<std::vector<int>> thread_cpus(pid_t pid, pid_t tid) {
    std::ifstream in(fs::path("/proc") / std::to_string(pid) / "task" / std::to_string(tid) / "status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Cpus_allowed_list:", 0) == 0) {
            auto value = line.substr(18);
            value.erase(0, value.find_first_not_of(" \t"));
            return parse_cpu_list(value);
        }
    return std::nullopt;
}

std::vector<pid_t> threads_of(pid_t pid) {
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path("/proc") / std::to_string(pid) / "task", ec)) {
        auto name = e.path().filename().string();
        if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) out.push_back(std::stoi(name));
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace vmrun
