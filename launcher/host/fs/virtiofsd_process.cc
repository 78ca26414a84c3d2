#include "host/fs/virtiofsd_process.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/process.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "base/owned_fd.h"
#include "host/child_process.h"
#include "host/log_tail.h"
#include "host/pid_file.h"
#include "host/process_watch.h"
#include "host/run_command.h"
#include "host/unix_listener.h"
#include "plan/virtiofsd_argv.h"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace vmrun {

namespace {

// In the child, before the exec: a mount namespace of its own in which
// `root` shows `folder` (read-only when asked). Recursive, so the folder's
// submounts are shared too — and read-only with it (mount_setattr, Linux 5.12;
// before that only the folder's own mount is made read-only).
struct FolderView : bp::extend::handler {
    std::string folder, root;
    bool readonly = false;
    int log_fd = -1;

    template <typename Executor>
    void on_exec_setup(Executor& exec) const {
        auto fail = [&](const char* what) {
            exec.set_error(std::error_code(errno, std::system_category()), what);
            ::_exit(EXIT_FAILURE);
        };
        if (log_fd >= 0 && ::dup2(log_fd, STDERR_FILENO) < 0) fail("dup2 of the log");
        if (::unshare(CLONE_NEWNS) != 0) fail("unshare(CLONE_NEWNS)");
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("making its mounts private");
        if (::mount(folder.c_str(), root.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) fail("bind-mounting the shared folder");
        if (!readonly) return;
        struct mount_attr attr {};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (::mount_setattr(AT_FDCWD, root.c_str(), AT_RECURSIVE, &attr, sizeof attr) == 0) return;
        if (::mount(nullptr, root.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) fail("making the folder read-only");
    }
};

}  // namespace

std::string find_virtiofsd() {
    if (const char* e = std::getenv("VMRUN_VIRTIOFSD"); e && *e) return find_program(e);
    for (const char* path : {"/usr/libexec/virtiofsd", "/usr/lib/qemu/virtiofsd", "/usr/lib/virtiofsd"})
        if (::access(path, X_OK) == 0) return path;
    return find_program("virtiofsd");
}

std::vector<Failure> shared_folder_problems(const LaunchPlan& plan) {
    std::vector<Failure> out;
    if (plan.shared_folders.empty()) return out;
    const auto& file = plan.profile.source_file;
    if (plan.facts.virtiofsd_binary.empty())
        out.push_back({"no virtiofsd on this host, and the profile shares folders",
                       "apt-get install qemu-system-common (Debian 12) or virtiofsd (later releases), or remove 'shared_folders' in " + file});
    for (const auto& f : plan.shared_folders) {
        std::error_code ec;
        auto status = fs::status(f.folder.path, ec);
        if (!fs::exists(status))
            out.push_back({"the shared folder " + f.folder.path + " does not exist", "create it or correct its 'path' in " + file, f.folder.path});
        else if (!fs::is_directory(status))
            out.push_back({"the shared folder " + f.folder.path + " is not a folder", "give a folder as its 'path' in " + file, f.folder.path});
    }
    return out;
}

bool is_this_vms_virtiofsd(const VmPaths& vm, pid_t pid) {
    // By what it exports — a folder in this VM's runtime folder — which its
    // command line keeps after the runtime folder is gone.
    auto argv = process_cmdline(pid);
    if (argv.empty() || fs::path(argv[0]).filename() != "virtiofsd") return false;
    auto exported = "source=" + vm.runtime_dir + "/virtiofs";
    return std::any_of(argv.begin() + 1, argv.end(), [&](const std::string& a) {
        return a.compare(0, exported.size(), exported) == 0 && a.size() > 5 && a.compare(a.size() - 5, 5, ".root") == 0;
    });
}

std::optional<Failure> start_virtiofsd(const LaunchPlan& plan, const SharedFolderPlan& folder, Journal& journal, bp::child& child) {
    const auto& exe = plan.facts.virtiofsd_binary;
    if (exe.empty()) return shared_folder_problems(plan).front();
    std::error_code ec;
    fs::remove(folder.socket, ec);  // left by a virtiofsd that died with its VM
    if (::mkdir(folder.root.c_str(), 0700) != 0 && errno != EEXIST)
        return Failure{"cannot create " + folder.root + ": " + std::strerror(errno), "", folder.root};
    // 0600: only root's QEMU (it connects before dropping to run_as) reaches the folder.
    auto listening = listen_unix(folder.socket);
    if (listening.failure) return listening.failure;
    OwnedFd log(::open(folder.log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!log) return Failure{"cannot open " + folder.log + ": " + std::strerror(errno), "", folder.log};
    auto argv = build_virtiofsd_argv(folder, exe, listening.fd.get());
    // Before the fork: found by its working folder if its pid never reaches the journal.
    if (auto jec = journal.record({"spawn", {{"program", "virtiofsd"}, {"marker", plan.paths().runtime_dir}}}))
        return journal_failure(journal, jec);
    InheritFds inherit;
    inherit.fds = {listening.fd.get()};
    FolderView view;
    view.folder = folder.folder.path;
    view.root = folder.root;
    view.readonly = folder.folder.readonly;
    view.log_fd = log.get();
    // A fork, not vfork: the child changes its mount namespace before the exec.
    child = bp::child(bp::exe = exe, bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()), bp::std_in < bp::null,
                      bp::std_out > bp::null, bp::start_dir = plan.paths().runtime_dir, OwnProcessGroup{}, inherit, view, ec);
    listening.fd.reset();  // virtiofsd holds it now
    log.reset();
    if (ec || !child.valid())
        return Failure{"cannot start virtiofsd for the shared folder '" + folder.folder.tag + "': " + ec.message(),
                       "vmrun runs virtiofsd in a mount namespace of its own, which needs root (CAP_SYS_ADMIN)", exe};
    pid_t pid = child.id();
    auto started = process_start_time(pid);
    if (auto jec = journal.record({"virtiofsd-process", {{"pid", pid}, {"start_time", started.value_or(0)}, {"tag", folder.folder.tag}}})) {
        ::kill(pid, SIGKILL);
        child.wait(ec);
        return journal_failure(journal, jec);
    }
    write_pid_file(plan.paths().virtiofsd_pid_file(folder.index), pid);
    // QEMU's connection waits in the socket's backlog until virtiofsd takes
    // it; a virtiofsd that refuses its options or folder exits at once.
    std::this_thread::sleep_for(20ms);
    if (!child.running(ec))
        return Failure{"virtiofsd for the shared folder '" + folder.folder.tag + "' exited at start:" + log_tail(folder.log), "", folder.log};
    spdlog::info("virtiofsd (pid {}) serves {} as '{}'{}", pid, folder.folder.path, folder.folder.tag,
                 folder.folder.readonly ? " (read-only)" : "");
    return std::nullopt;
}

}  // namespace vmrun
