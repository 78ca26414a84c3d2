#include "host/tpm/swtpm_process.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/posix.hpp>
#include <dirent.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "base/owned_fd.h"
#include "host/process_watch.h"
#include "host/requirements.h"
#include "plan/swtpm_argv.h"
#include "host/child_process.h"
#include "host/log_tail.h"
#include "host/pid_file.h"
#include "host/private_dir.h"
#include "host/run_command.h"
#include "host/unix_listener.h"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace vmrun {

namespace {

// A new TPM is manufactured as a real one is: swtpm_setup gives it an
// endorsement key with a certificate (from swtpm-tools' local CA) and a
// platform certificate — what Windows' TPM checks and attestation look for;
// swtpm alone would start with an empty TPM without them. Once per state.
std::optional<Failure> manufacture_tpm(const LaunchPlan& plan, const std::string& dir) {
    std::error_code ec;
    if (fs::exists(fs::path(dir) / "tpm2-00.permall", ec)) return std::nullopt;
    auto setup = find_program("swtpm_setup");
    if (setup.empty()) {
        spdlog::warn("swtpm_setup is not installed (package swtpm-tools): the TPM starts without an endorsement key certificate");
        return std::nullopt;
    }
    auto r = run_command({setup, "--tpm2", "--tpmstate", dir, "--create-ek-cert", "--create-platform-cert", "--lock-nvram",
                          "--not-overwrite", "--logfile", plan.paths().swtpm_log()},
                         std::chrono::seconds(120));
    if (!r.ok())
        return Failure{"swtpm_setup could not manufacture the TPM (" + r.describe() + "):" + log_tail(plan.paths().swtpm_log()),
                       "see " + plan.paths().swtpm_log() + "; /etc/swtpm_setup.conf and /etc/swtpm-localca.conf configure it", dir};
    spdlog::info("manufactured the TPM in {}: endorsement key and platform certificates (swtpm_setup)", dir);
    return std::nullopt;
}

std::optional<Failure> prepare_state(const LaunchPlan& plan) {
    const auto& paths = plan.paths();
    auto dir = paths.tpm_state_dir();
    std::error_code ec;
    if (plan.profile.tpm->reset && fs::exists(dir, ec)) {
        fs::remove_all(dir, ec);
        if (ec) return Failure{"cannot wipe the TPM state " + dir + " (tpm.reset): " + ec.message(), "", dir};
        spdlog::info("wiped the TPM state {} (tpm.reset)", dir);
    }
    if (plan.profile.run_as.empty()) {
        if (auto failure = make_private_dir(dir)) return failure;
        return manufacture_tpm(plan, dir);
    }
    // swtpm drops to run_as before it touches its state: the folder and its
    // files are that user's, and nobody else's. Opened once, not through a
    // link (only root could plant one, still), and changed through that fd.
    fs::create_directories(fs::path(dir).parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Failure{"cannot create " + dir + ": " + std::strerror(errno), "", dir};
    auto* pw = ::getpwnam(plan.profile.run_as.c_str());
    if (!pw) return Failure{"run_as user '" + plan.profile.run_as + "' does not exist", "", dir};
    // As root, before the folder and what it made are handed to run_as below.
    if (auto failure = manufacture_tpm(plan, dir)) return failure;
    OwnedFd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!folder)
        return errno == ELOOP || errno == ENOTDIR
                   ? Failure{dir + " is a symlink or not a folder; vmrun will not hand it to " + plan.profile.run_as, "remove it", dir}
                   : Failure{"cannot open " + dir + ": " + std::strerror(errno), "", dir};
    if (::fchmod(folder.get(), 0700) != 0 || ::fchown(folder.get(), pw->pw_uid, pw->pw_gid) != 0)
        return Failure{"cannot hand " + dir + " to " + plan.profile.run_as + ": " + std::strerror(errno), "", dir};
    std::vector<std::string> names;
    if (DIR* list = ::fdopendir(::dup(folder.get()))) {
        while (auto* e = ::readdir(list))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
        ::closedir(list);
    }
    for (const auto& name : names)
        if (::fchownat(folder.get(), name.c_str(), pw->pw_uid, pw->pw_gid, AT_SYMLINK_NOFOLLOW) != 0)
            return Failure{"cannot hand " + dir + "/" + name + " to " + plan.profile.run_as + ": " + std::strerror(errno), "", dir};
    return std::nullopt;
}

}  // namespace

std::optional<Failure> start_swtpm(const LaunchPlan& plan, Journal& journal, bp::child& child) {
    const auto& state = plan.paths().tpm_state_dir();
    if (auto failure = swtpm_path_problem(plan)) return failure;
    if (auto failure = prepare_state(plan)) return failure;
    const auto& socket = plan.paths().swtpm_socket();
    std::error_code ec;
    fs::remove(socket, ec);  // left by a swtpm that died with its VM
    auto exe = find_program(plan.facts.swtpm_binary);
    if (exe.empty()) return swtpm_missing(plan.facts.swtpm_binary, plan.profile.source_file);
    // Made by vmrun (see swtpm_argv.h), 0600: only root's QEMU (it connects
    // before dropping to run_as) reaches the TPM.
    auto ctrl = listen_unix(socket);
    if (ctrl.failure) return ctrl.failure;
    OwnedFd log(::open(plan.paths().swtpm_log().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!log) return Failure{"cannot open " + plan.paths().swtpm_log() + ": " + std::strerror(errno), "", plan.paths().swtpm_log()};
    auto argv = build_swtpm_argv(plan, SwtpmFds{ctrl.fd.get(), log.get()});
    // Before the fork, as for QEMU: found by its working folder if its pid never reaches the journal.
    if (auto jec = journal.record({"spawn", {{"program", "swtpm"}, {"marker", plan.paths().tpm_state_dir()}}}))
        return journal_failure(journal, jec);
    InheritFds inherit;
    inherit.fds = {ctrl.fd.get(), log.get()};
    child = bp::child(bp::exe = exe, bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()), bp::std_in < bp::null,
                      bp::start_dir = plan.paths().tpm_state_dir(), OwnProcessGroup{}, inherit, bp::posix::use_vfork, ec);
    ctrl.fd.reset();  // swtpm holds them now
    log.reset();
    if (ec || !child.valid()) return Failure{"cannot start swtpm: " + ec.message(), "", exe};
    pid_t pid = child.id();
    auto started = process_start_time(pid);
    if (auto jec = journal.record({"swtpm-process", {{"pid", pid}, {"start_time", started.value_or(0)}}})) {
        ::kill(pid, SIGKILL);
        child.wait(ec);
        return journal_failure(journal, jec);
    }
    write_pid_file(plan.paths().swtpm_pid_file(), pid);
    // QEMU's connection waits in the socket's backlog until swtpm takes it, so
    // there is nothing to wait for — unless swtpm refuses its options or its
    // state folder, which it does at once.
    std::this_thread::sleep_for(20ms);
    if (!child.running(ec)) return Failure{"swtpm exited at start:" + log_tail(plan.paths().swtpm_log()), "", plan.paths().swtpm_log()};
    spdlog::info("swtpm (pid {}) serves the TPM from {}", pid, plan.paths().tpm_state_dir());
    return std::nullopt;
}

}  // namespace vmrun
