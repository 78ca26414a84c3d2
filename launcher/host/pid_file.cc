#include "host/pid_file.h"

#include <cstdint>
#include <fstream>

#include "host/process_watch.h"

namespace vmrun {

std::optional<pid_t> read_pid_file(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    if (in >> pid && pid > 0 && pid <= INT32_MAX) return pid_t(pid);
    return std::nullopt;
}

void write_pid_file(const std::string& path, pid_t pid) {
    std::ofstream(path) << pid << " " << process_start_time(pid).value_or(0) << "\n";
}

std::optional<pid_t> read_live_pid(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    uint64_t started = 0;
    if (!(in >> pid >> started) || pid <= 0 || pid > INT32_MAX || started == 0) return std::nullopt;
    if (!process_alive(pid_t(pid), started)) return std::nullopt;
    return pid_t(pid);
}

}  // namespace vmrun
