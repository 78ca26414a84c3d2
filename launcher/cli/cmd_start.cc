// vmrun PROFILE / vmrun start PROFILE [--detach]: the whole launch.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "run/profile_snapshot.h"
#include "base/exit_codes.h"
#include "vm/load_plan.h"
#include "cli/vm_target.h"
#include "run/preflight.h"
#include "cli/force_bind_option.h"
#include "vm/print_problems.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"
#include "run/supervisor.h"

namespace vmrun::cli {

namespace {

// Detached: the supervisor runs in a new session with its output in the
// state folder's log; the parent waits until it reports ready (or why not).
int detach_and_supervise(const LaunchPlan& plan, const VmPaths& folder, SuperviseOptions options, InstanceLock& lock) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) {
        std::cerr << "vmrun: pipe: " << std::strerror(errno) << "\n";
        return kExitFailure;
    }
    std::cout.flush();
    std::cerr.flush();
    pid_t child = ::fork();
    if (child < 0) {
        std::cerr << "vmrun: fork: " << std::strerror(errno) << "\n";
        return kExitFailure;
    }
    if (child == 0) {
        ::close(ready[0]);
        ::setsid();
        int null = ::open("/dev/null", O_RDWR);
        int log = ::open(folder.log_file().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        ::dup2(null, 0);
        ::dup2(log >= 0 ? log : null, 1);
        ::dup2(log >= 0 ? log : null, 2);
        lock.write_pid(folder, ::getpid());
        options.ready_fd = ready[1];
        ::_exit(supervise_vm(plan, folder, options));
    }
    ::close(ready[1]);
    // The supervisor writes one report and closes its end: read to EOF, since
    // a failure's text (QEMU's last lines among it) spans several lines.
    std::string line;
    char buf[4096];
    for (ssize_t n; (n = ::read(ready[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        line.append(buf, static_cast<size_t>(n));
    }
    ::close(ready[0]);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (line.rfind("READY ", 0) == 0) {
        std::cout << "vmrun: started " << plan.profile.name << " (supervisor pid " << line.substr(6) << ")\n"
                  << "  console: vmrun console " << plan.profile.name << "\n"
                  << "  stop:    vmrun stop " << plan.profile.name << "\n"
                  << "  log:     " << folder.log_file() << "\n";
        return kExitOk;
    }
    std::cerr << "vmrun: " << plan.profile.name << " did not start: "
              << (line.rfind("ERROR ", 0) == 0 ? line.substr(6) : "the supervisor died; see " + folder.log_file()) << "\n";
    return kExitFailure;
}

}  // namespace

int run_start(const ParsedArgs& args) {
    auto profile = args.positional("PROFILE");
    bool detach = args.flag("detach"), foreground = args.flag("foreground");
    auto force_bind = force_bind_option(args);
    if (!force_bind) return kExitUsage;
    auto loaded = load_plan(profile);
    if (!loaded.plan) return loaded.exit_code;
    const auto& plan = *loaded.plan;
    if (plan.profile.headless && !foreground) detach = true;

    auto problems = preflight(plan, {*force_bind});
    if (!problems.empty()) {
        print_problems(problems);
        std::cerr << "vmrun: " << plan.profile.name << " was not started; nothing on the host was changed\n";
        return kExitFailure;
    }

    const VmPaths& folder = plan.paths();
    if (auto err = check_folders(folder); !err.empty()) {
        std::cerr << "vmrun: " << err << "\n";
        return kExitFailure;
    }
    pid_t holder = 0;
    std::string problem;
    auto lock = InstanceLock::acquire(folder, holder, problem);
    if (!lock) {
        if (!problem.empty()) std::cerr << "vmrun: " << problem << "\n";
        else std::cerr << "vmrun: " << plan.profile.name << " is already running" << describe_holder(holder) << "; 'vmrun stop "
                       << plan.profile.name << "' stops it\n";
        return kExitFailure;
    }
    // An earlier run's leftovers go first (that cleanup removes its runtime folder).
    if (!restore_stale_journal(folder, true)) {
        std::cerr << "vmrun: not starting on top of a host that could not be restored\n";
        return kExitFailure;
    }
    // A runtime folder no journal accounted for (a journal lost or cut short):
    // its pid files and sockets are an earlier run's and would mislead.
    if (std::error_code ec; std::filesystem::exists(folder.runtime_dir, ec)) {
        std::cerr << "vmrun: warning: removing " << folder.runtime_dir << ", left by an earlier run without a journal entry\n";
        std::filesystem::remove_all(folder.runtime_dir, ec);
    }
    if (auto err = create_folders(folder); !err.empty()) {
        std::cerr << "vmrun: " << err << "\n";
        return kExitFailure;
    }
    // For 'hotplug --persist': the file and what it said when this run began.
    std::error_code ec;
    auto real = std::filesystem::canonical(profile, ec);
    ProfileSnapshot snapshot{real.string(), loaded.profile_text};
    if (struct stat st {}; !ec && ::stat(real.parent_path().c_str(), &st) == 0) {
        snapshot.folder_device = st.st_dev;
        snapshot.folder_inode = st.st_ino;
    }
    if (auto err = ec ? ec.message() : write_profile_snapshot(folder, snapshot); !err.empty())
        std::cerr << "vmrun: warning: " << err << "; 'hotplug --persist' will not be available for this run\n";
    SuperviseOptions options;
    options.grace = std::chrono::seconds(plan.profile.shutdown_timeout);
    options.force_bind = *force_bind;
    if (detach) return detach_and_supervise(plan, folder, options, *lock);
    lock->write_pid(folder, ::getpid());
    return supervise_vm(plan, folder, options);
}

}  // namespace vmrun::cli
