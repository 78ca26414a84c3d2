#include "host/input/evdev_devices.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace vmrun {

namespace {
constexpr unsigned kInputMajor = 13;
}

std::string evdev_problem(const std::string& sysroot, const std::string& path) {
    auto where = fs::path(sysroot) / fs::path(path).relative_path();
    struct stat st {};
    if (::stat(where.c_str(), &st) != 0)
        return errno == ENOENT ? "is not there (the device is unplugged, or the path is misspelt)" : std::string("cannot be read: ") + std::strerror(errno);
    std::error_code ec;
    auto name = fs::canonical(where, ec).filename().string();
    bool event_name = name.rfind("event", 0) == 0 && name.size() > 5 && name.find_first_not_of("0123456789", 5) == std::string::npos;
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != kInputMajor)
        return "is not an input device (not a character device of major 13)";
    if (!event_name) return "is an input device but not an evdev event device (it is " + name + ")";
    return "";
}

std::vector<HostProblem> input_problems(const LaunchPlan& plan) {
    std::vector<HostProblem> out;
    if (!plan.input) return out;
    for (const auto& in : plan.input->devices) {
        auto problem = evdev_problem(plan.facts.sysroot, in.evdev);
        if (problem.empty()) continue;
        out.push_back({"input " + in.evdev + " " + problem,
                       "use the device's event path: ls -l /dev/input/by-id/ lists keyboards and mice by name "
                       "(…-event-kbd, …-event-mouse), or correct 'evdev' in " + plan.profile.source_file});
    }
    return out;
}

}  // namespace vmrun
