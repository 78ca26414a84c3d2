#include "host/host_restore.h"

#include <signal.h>

#include <chrono>
#include <filesystem>

#include "host/process_watch.h"
#include "host/net/network_setup.h"
#include "host/pci/vfio_binder.h"

namespace vmrun {

namespace {

// An orphaned QEMU (its supervisor was killed): TERM lets it flush disk
// caches; KILL if it does not go.
std::string stop_qemu(const nlohmann::json& args, std::string& error) {
    pid_t pid = args.value("pid", 0);
    std::optional<uint64_t> started;
    if (args.contains("start_time")) started = args["start_time"].get<uint64_t>();
    if (!process_alive(pid, started)) return "";
    ::kill(pid, SIGTERM);
    if (!wait_process_exit(pid, std::chrono::seconds(10))) {
        ::kill(pid, SIGKILL);
        if (!wait_process_exit(pid, std::chrono::seconds(5))) {
            error = "QEMU (pid " + std::to_string(pid) + ") does not exit even after SIGKILL";
            return "";
        }
    }
    return "stopped the orphaned QEMU (pid " + std::to_string(pid) + ")";
}

std::string remove_folder(const nlohmann::json& args, std::string& error) {
    std::string path = args.value("path", "");
    std::error_code ec;
    if (path.empty() || !std::filesystem::exists(path, ec)) return "";
    std::filesystem::remove_all(path, ec);
    if (ec) {
        error = "cannot remove " + path + ": " + ec.message();
        return "";
    }
    return "removed " + path;
}

}  // namespace

Restorer make_restorer() {
    Restorer r;
    r.on("qemu-process", stop_qemu);
    r.on("runtime-folder", remove_folder);
    r.on("pci-driver", restore_pci_driver);
    r.on("tap", remove_tap);
    r.on("bridge", remove_bridge);
    return r;
}

}  // namespace vmrun
