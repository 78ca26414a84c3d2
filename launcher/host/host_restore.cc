#include "host/host_restore.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "base/pci_address.h"
#include "host/fs/virtiofsd_process.h"
#include "host/journal_args.h"
#include "host/display/display_handoff.h"
#include "host/input/evdev_devices.h"
#include "host/memory/hugepage_pool.h"
#include "host/memory/hugetlbfs_mount.h"
#include "host/memory/shared_memory_file.h"
#include "host/net/network_setup.h"
#include "host/net/vf_settings.h"
#include "host/pci/reset_method.h"
#include "host/pci/sriov.h"
#include "host/pci/vfio_binder.h"
#include "host/process_watch.h"

namespace vmrun {

namespace {

// This VM's QEMU: its command line names this VM's own QMP socket (unique to
// the VM's runtime folder) — the marker that finds it even when its pid never
// reached the journal. QEMUs started before the supervisor's socket became an
// inherited fd name that socket's path instead.
bool is_this_vms_qemu(const VmPaths& vm, pid_t pid) {
    auto argv = process_cmdline(pid);
    return std::any_of(argv.begin(), argv.end(), [&](const std::string& a) {
        return a.find("path=" + vm.qmp_socket() + ",") != std::string::npos ||
               a.find("path=" + vm.supervisor_socket() + ",") != std::string::npos;
    });
}

// This VM's swtpm: a swtpm working in this VM's TPM state folder (vmrun starts it there).
bool is_this_vms_swtpm(const VmPaths& vm, pid_t pid) {
    auto argv = process_cmdline(pid);
    std::error_code ec;
    auto cwd = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
    auto state = std::filesystem::weakly_canonical(vm.tpm_state_dir(), ec);
    return !argv.empty() && std::filesystem::path(argv[0]).filename() == "swtpm" && !cwd.empty() && cwd == state;
}

// TERM lets QEMU flush disk caches (swtpm write its state); KILL if it does not go.
UndoOutcome stop_process(pid_t pid, const std::string& what, std::chrono::seconds grace) {
    ::kill(pid, SIGTERM);
    if (!wait_process_exit(pid, grace)) {
        ::kill(pid, SIGKILL);
        if (!wait_process_exit(pid, std::chrono::seconds(5)))
            return UndoOutcome::failed({what + " (pid " + std::to_string(pid) + ") does not exit even after SIGKILL",
                                        "it is stuck in the kernel (see cat /proc/" + std::to_string(pid) + "/stack); a reboot ends it",
                                        "/proc/" + std::to_string(pid)});
    }
    return UndoOutcome::done("stopped " + what + " (pid " + std::to_string(pid) + ")");
}

// A child the journal names by pid and start time, stopped only while it is
// still that process and still this VM's (`ours`: its command line or folder).
// `own_end` is how long it may take to end by itself first; `called` names it in the report.
UndoOutcome stop_journaled_child(const VmPaths& vm, const nlohmann::json& json, const std::string& what, const std::string& called,
                                 bool (*ours)(const VmPaths&, pid_t), std::chrono::seconds own_end, std::chrono::seconds grace) {
    JournalArgs args(json);
    pid_t pid = pid_t(*args.integer("pid"));
    if (!process_alive(pid, *args.count("start_time"))) return UndoOutcome::nothing();
    if (!ours(vm, pid))
        return UndoOutcome::left_alone("pid " + std::to_string(pid) + " is not this VM's " + what + " (its command line says otherwise): not touched");
    if (own_end.count() > 0 && wait_process_exit(pid, own_end))
        return UndoOutcome::done(called + " (pid " + std::to_string(pid) + ") ended");
    return stop_process(pid, called, grace);
}

// An orphaned QEMU (its supervisor was killed): only the QEMU of this VM (the pid, its start time and the marker).
UndoOutcome stop_qemu(const VmPaths& vm, const nlohmann::json& json) {
    return stop_journaled_child(vm, json, "QEMU", "the orphaned QEMU", is_this_vms_qemu, std::chrono::seconds(0), std::chrono::seconds(10));
}

// The VM's swtpm ends by itself once QEMU closes its control channel
// (--terminate), writing the TPM's state as QEMU lets go: it gets a moment for
// that. This stops one left behind (QEMU never connected, or the supervisor
// was killed with QEMU still running).
UndoOutcome stop_swtpm(const VmPaths& vm, const nlohmann::json& json) {
    return stop_journaled_child(vm, json, "swtpm", "swtpm", is_this_vms_swtpm, std::chrono::seconds(2), std::chrono::seconds(5));
}

// A virtiofsd ends by itself once QEMU lets go of its socket; this stops one
// left behind (QEMU never connected, or the supervisor was killed).
UndoOutcome stop_virtiofsd(const VmPaths& vm, const nlohmann::json& json) {
    return stop_journaled_child(vm, json, "virtiofsd", "virtiofsd", is_this_vms_virtiofsd, std::chrono::seconds(2), std::chrono::seconds(5));
}

// A spawn journaled before it happened: the child may exist without its pid
// in the journal (vmrun killed just after the fork). Found by its marker.
UndoOutcome stop_spawned(const VmPaths& vm, const nlohmann::json& json) {
    auto program = JournalArgs(json).text("program");
    bool qemu = program == "qemu", virtiofsd = program == "virtiofsd";
    auto found = processes_where([&](pid_t pid) {
        return qemu ? is_this_vms_qemu(vm, pid) : virtiofsd ? is_this_vms_virtiofsd(vm, pid) : is_this_vms_swtpm(vm, pid);
    });
    std::string stopped;
    std::optional<UndoOutcome> failed;
    for (pid_t pid : found) {
        auto outcome = stop_process(pid, qemu        ? "this VM's QEMU, found by its marker"
                                         : virtiofsd ? "this VM's virtiofsd, found by its folder"
                                                     : "this VM's swtpm, found by its folder",
                                    std::chrono::seconds(qemu ? 10 : 5));
        if (outcome.kind == UndoOutcome::Kind::failed) failed = outcome;
        else stopped += outcome.text + "; ";
    }
    // Two stuck copies of one VM's QEMU cannot both exist (one QMP socket): the first stuck one is the story.
    if (failed) return *failed;
    return stopped.empty() ? UndoOutcome::nothing() : UndoOutcome::done(stopped.substr(0, stopped.size() - 2));
}

std::string check_spawn(const VmPaths& vm, const nlohmann::json& json) {
    JournalArgs args(json);
    auto program = args.text("program");
    if (program != "qemu" && program != "swtpm" && program != "virtiofsd") return "no program vmrun starts";
    auto marker = args.text("marker");
    auto expected = *program == "qemu" ? vm.qmp_socket() : *program == "virtiofsd" ? vm.runtime_dir : vm.tpm_state_dir();
    bool older_qemu_marker = *program == "qemu" && marker == vm.supervisor_socket();
    if (marker != expected && !older_qemu_marker) return "not this VM's marker " + expected;
    return "";
}

std::string check_qemu(const nlohmann::json& json) {
    JournalArgs args(json);
    auto pid = args.integer("pid");
    if (!pid || *pid <= 1 || *pid > INT32_MAX) return "no valid pid";
    if (!args.count("start_time")) return "no start time to tell this QEMU from a later process with its pid";
    return "";
}

UndoOutcome remove_folder(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return UndoOutcome::nothing();
    std::filesystem::remove_all(path, ec);
    if (ec) return UndoOutcome::failed({"cannot remove " + path + ": " + ec.message(), "rm -r " + path, path});
    return UndoOutcome::done("removed " + path);
}

std::string check_pci(const nlohmann::json& json) {
    JournalArgs args(json);
    auto address = args.text("address");
    if (!address || !parse_pci_address(*address)) return "no valid PCI address";
    if (!args.has_sysroot()) return "no absolute sysfs root";
    for (const char* key : {"driver", "driver_override"}) {
        auto v = args.text(key);
        // Driver names are words; anything with a path in it is not one the kernel gave.
        if (!v || v->find('/') != std::string::npos || v->find("..") != std::string::npos) return std::string("no valid ") + key;
    }
    return "";
}

std::string check_link(const nlohmann::json& json) {
    auto name = JournalArgs(json).text("name");
    // The kernel's own rules for an interface name (dev_valid_name).
    if (!name || name->empty() || name->size() > 15 || *name == "." || *name == ".." ||
        name->find_first_of("/: \t\n") != std::string::npos)
        return "no valid interface name";
    return "";
}

}  // namespace

Restorer make_restorer(const VmPaths& vm) {
    Restorer r;
    r.on("qemu-process", check_qemu, [vm](const nlohmann::json& args) { return stop_qemu(vm, args); });
    r.on("swtpm-process", check_qemu, [vm](const nlohmann::json& args) { return stop_swtpm(vm, args); });
    r.on("virtiofsd-process", check_qemu, [vm](const nlohmann::json& args) { return stop_virtiofsd(vm, args); });
    r.on("spawn", [vm](const nlohmann::json& args) { return check_spawn(vm, args); },
         [vm](const nlohmann::json& args) { return stop_spawned(vm, args); });
    // Only this VM's own runtime folder, whatever path the entry names.
    r.on(
        "runtime-folder",
        [vm](const nlohmann::json& args) {
            return JournalArgs(args).text("path") == vm.runtime_dir ? "" : "not this VM's runtime folder " + vm.runtime_dir;
        },
        [vm](const nlohmann::json&) { return remove_folder(vm.runtime_dir); });
    r.on("hugepages", check_hugepage_entry,
         [vm](const nlohmann::json& args) { return give_back_hugepages(args, vm.hugepage_lock_file()); }, /*once_per_key=*/true);
    r.on(
        "hugetlbfs-mount",
        [vm](const nlohmann::json& args) {
            return JournalArgs(args).text("path") == vm.hugetlbfs_dir() ? "" : "not this VM's hugetlbfs " + vm.hugetlbfs_dir();
        },
        [vm](const nlohmann::json&) { return unmount_private_hugetlbfs(vm.hugetlbfs_dir()); });
    r.on("shm-file", [vm](const nlohmann::json& args) { return check_shm_entry(vm.name, args); }, remove_shm_file);
    r.on("pci-driver", check_pci, [](const nlohmann::json& args) { return restore_pci_driver(args); });
    // Single-GPU handoff: started once, even when a restore is interrupted and run again.
    r.on("display-manager", check_display_manager_entry, start_display_manager, /*once_per_key=*/true);
    r.on("host-unit", check_host_unit_entry, start_display_manager, /*once_per_key=*/true);
    r.on("vtconsole", check_console_entry, rebind_console);
    r.on("framebuffer", check_framebuffer_entry, rebind_framebuffer);
    r.on("kernel-module", check_module_entry, reload_module);
    // A device node lives in devtmpfs, made afresh at each boot.
    r.on("evdev-access", check_evdev_access_entry, restore_evdev_access);
    r.on("sriov-vfs", check_sriov_entry, restore_sriov_count);
    r.on("reset-method", check_reset_method_entry, restore_reset_method);
    r.on("vf-net", check_vf_net_entry, restore_vf_net);
    r.on("tap", check_link, remove_tap);
    r.on("bridge", check_link, remove_bridge);
    return r;
}

}  // namespace vmrun
