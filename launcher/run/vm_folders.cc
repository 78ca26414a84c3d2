#include "run/vm_folders.h"

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

std::string create_folders(const VmPaths& f) {
    for (const auto& dir : {f.runtime_dir, f.state_dir}) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) return "cannot create " + dir + ": " + ec.message();
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
        if (ec) return "cannot make " + dir + " private: " + ec.message();
    }
    return "";
}

}  // namespace vmrun
