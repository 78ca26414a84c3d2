#include "vm/start.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/exit_codes.h"
#include "run/detached_start.h"
#include "run/instance_lock.h"
#include "run/preflight.h"
#include "run/profile_snapshot.h"
#include "run/supervisor.h"
#include "run/vm_folders.h"

namespace vmrun {

namespace {

StartReport refused(std::vector<Failure> problems, bool host_unchanged) {
    StartReport r;
    r.exit_code = kExitFailure;
    r.refusals = std::move(problems);
    r.host_unchanged = host_unchanged;
    return r;
}

// For 'hotplug --persist': the file and what it said when this run began.
// "" or why not (a warning: the start goes on without it).
std::string snapshot_profile(const VmPaths& folder, const StartRequest& request) {
    std::error_code ec;
    auto real = std::filesystem::canonical(request.profile_path, ec);
    if (ec) return ec.message();
    ProfileSnapshot snapshot{real.string(), request.profile_text};
    if (struct stat st {}; ::stat(real.parent_path().c_str(), &st) == 0) {
        snapshot.folder_device = st.st_dev;
        snapshot.folder_inode = st.st_ino;
    }
    return write_profile_snapshot(folder, snapshot);
}

}  // namespace

StartReport start_vm(const LaunchPlan& plan, const StartRequest& request) {
    if (auto problems = preflight(plan, {request.force_bind}); !problems.empty()) return refused(std::move(problems), true);

    const VmPaths& folder = plan.paths();
    if (auto failure = check_folders(folder)) return refused({*failure}, false);
    pid_t holder = 0;
    std::optional<Failure> problem;
    auto lock = InstanceLock::acquire(folder, holder, problem);
    if (!lock) {
        if (problem) return refused({*problem}, false);
        return refused({{plan.profile.name + " is already running" + describe_holder(holder),
                         "'vmrun stop " + plan.profile.name + "' stops it"}}, false);
    }
    StartReport report;
    // An earlier run's leftovers go first (that cleanup removes its runtime folder).
    if (!restore_stale_journal(folder, true))
        return refused({{"not starting on top of a host that could not be restored", "see the lines above; then 'vmrun restore " + plan.profile.name + "'"}}, false);
    // A runtime folder no journal accounted for (a journal lost or cut short):
    // its pid files and sockets are an earlier run's and would mislead.
    if (std::error_code ec; std::filesystem::exists(folder.runtime_dir, ec)) {
        request.warn("removing " + folder.runtime_dir + ", left by an earlier run without a journal entry");
        std::filesystem::remove_all(folder.runtime_dir, ec);
    }
    if (auto failure = create_folders(folder)) return refused({*failure}, false);
    if (auto err = snapshot_profile(folder, request); !err.empty())
        request.warn(err + "; 'hotplug --persist' will not be available for this run");

    SuperviseOptions options;
    options.grace = std::chrono::seconds(plan.profile.shutdown_timeout);
    options.force_bind = request.force_bind;
    if (request.detach) {
        auto started = supervise_detached(plan, folder, options, *lock);
        report.exit_code = started.ready ? kExitOk : kExitFailure;
        report.supervisor = started.supervisor;
        report.failure = started.failure;
        return report;
    }
    lock->write_pid(folder, ::getpid());
    report.exit_code = supervise_vm(plan, folder, options);
    return report;
}

}  // namespace vmrun
