#include "run/vm_folders.h"

#include "host/private_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace vmrun {

namespace {
std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}
}  // namespace

VmPaths vm_paths_for(const std::string& vm_name) {
    std::string runtime_base = env("VMRUN_RUNTIME_DIR"), state_base = env("VMRUN_STATE_DIR");
    if (runtime_base.empty()) {
        if (geteuid() == 0) runtime_base = "/run/vmrun";
        else if (!env("XDG_RUNTIME_DIR").empty()) runtime_base = env("XDG_RUNTIME_DIR") + "/vmrun";
        else runtime_base = "/tmp/vmrun-" + std::to_string(geteuid());
    }
    if (state_base.empty()) {
        if (geteuid() == 0) state_base = "/var/lib/vmrun";
        else if (!env("XDG_STATE_HOME").empty()) state_base = env("XDG_STATE_HOME") + "/vmrun";
        else state_base = env("HOME") + "/.local/state/vmrun";
    }
    return {vm_name, runtime_base + "/" + vm_name, state_base + "/" + vm_name};
}

// The base folder holding every VM's, then the VM's own: the two levels vmrun
// makes (above them, /run or /tmp belong to the system).
std::optional<Failure> create_state_folder(const VmPaths& f) {
    for (const auto& dir : {fs::path(f.state_dir).parent_path().string(), f.state_dir})
        if (auto failure = make_private_dir(dir)) return failure;
    return std::nullopt;
}

std::optional<Failure> create_folders(const VmPaths& f) {
    for (const auto& dir : {fs::path(f.runtime_dir).parent_path().string(), f.runtime_dir})
        if (auto failure = make_private_dir(dir)) return failure;
    return create_state_folder(f);
}

std::optional<Failure> check_folders(const VmPaths& f) {
    for (const auto& dir : {fs::path(f.runtime_dir).parent_path().string(), f.runtime_dir,
                            fs::path(f.state_dir).parent_path().string(), f.state_dir})
        if (auto failure = check_private_dir(dir)) return failure;
    return std::nullopt;
}

}  // namespace vmrun
