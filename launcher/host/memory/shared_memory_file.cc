#include "host/memory/shared_memory_file.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "host/journal_args.h"

namespace vmrun {

namespace {

std::optional<passwd> user_named(const std::string& name) {
    passwd pw{}, *found = nullptr;
    char buf[4096];
    if (::getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found) != 0 || !found) return std::nullopt;
    return pw;
}

std::string user_of(uid_t uid) {
    passwd pw{}, *found = nullptr;
    char buf[4096];
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return pw.pw_name;
    return "uid " + std::to_string(uid);
}

std::string group_of(gid_t gid) {
    group gr{}, *found = nullptr;
    char buf[4096];
    if (::getgrgid_r(gid, &gr, buf, sizeof buf, &found) == 0 && found) return gr.gr_name;
    return "gid " + std::to_string(gid);
}

std::string vm_file_name(const std::string& vm) { return "looking-glass-" + vm; }

}  // namespace

std::optional<ShmAccess> shm_access(const LaunchPlan& plan, Failure& problem) {
    const auto& lg = *plan.looking_glass;
    const auto& file = plan.profile.source_file;
    ShmAccess access;
    if (!lg.owner.empty()) {
        auto pw = user_named(lg.owner);
        if (!pw) {
            problem = {"Looking Glass's owner '" + lg.owner + "' is not a user on this host",
                       "set looking_glass.owner in " + file + " to the desktop user who runs looking-glass-client"};
            return std::nullopt;
        }
        access = {pw->pw_uid, pw->pw_gid};
    }
    return access;
}

std::vector<Failure> shared_memory_problems(const LaunchPlan& plan) {
    std::vector<Failure> out;
    if (!plan.looking_glass) return out;
    const auto& lg = *plan.looking_glass;
    const auto& file = plan.profile.source_file;
    Failure problem;
    auto access = shm_access(plan, problem);
    if (!access) {
        out.push_back(problem);
        return out;
    }
    struct stat st {};
    if (lg.kvmfr) {
        if (::stat(lg.path.c_str(), &st) != 0 || !S_ISCHR(st.st_mode))
            out.push_back({"Looking Glass asks for " + lg.path + " (device: kvmfr), which is not there",
                           "load the module: modprobe kvmfr static_size_mb=" + std::to_string(lg.size_mib) +
                               ", or use the shared-memory file (device: shm) in " + file});
        return out;
    }
    auto dir = std::filesystem::path(lg.path).parent_path();
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        out.push_back({dir.string() + " (where Looking Glass's shared memory goes) is not a folder",
                       "mount a tmpfs at /dev/shm (every systemd host has one)"});
        return out;
    }
    if (::lstat(lg.path.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode))
            out.push_back({lg.path + " exists and is not a plain file", "remove it: rm " + lg.path});
        else if (!access->accepts(st.st_uid, st.st_gid)) {
            auto owner = lg.owner.empty() ? std::string("root") : lg.owner;
            out.push_back({lg.path + " exists and belongs to " + user_of(st.st_uid) + ":" + group_of(st.st_gid) +
                               ", not to " + owner + " who should run the client (nor to root in " + owner + "'s group)",
                           "remove it (rm " + lg.path + ") or set looking_glass.owner: " + user_of(st.st_uid) + " in " + file});
        }
    }
    return out;
}

SharedMemoryFile prepare_shared_memory(const LaunchPlan& plan, Journal& journal) {
    SharedMemoryFile out;
    if (!plan.looking_glass || plan.looking_glass->kvmfr) return out;
    const auto& lg = *plan.looking_glass;
    Failure problem;
    auto access = shm_access(plan, problem);
    if (!access) {
        out.failure = problem;
        return out;
    }
    struct stat st {};
    if (::lstat(lg.path.c_str(), &st) == 0) {
        // Someone made it for this user (checked in preflight): used, and left
        // afterwards. Opened here, not a link, one name: what QEMU maps is
        // this file whatever the name says by then.
        out.fd = OwnedFd(::open(lg.path.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        if (!out.fd || ::fstat(out.fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || !access->accepts(st.st_uid, st.st_gid) ||
            st.st_nlink != 1) {
            out.fd.reset();
            auto owner = lg.owner.empty() ? std::string("root") : lg.owner;
            out.failure = Failure{lg.path + " exists and is not the Looking Glass file vmrun may use (a plain file of " +
                                      owner + "'s, or root's in " + owner + "'s group, with one name)",
                                  "remove it, or let vmrun make it", lg.path};
        }
        return out;
    }
    if (auto ec = journal.record({"shm-file", {{"path", lg.path}}})) {
        out.failure = journal_failure(journal, ec);
        return out;
    }
    out.fd = OwnedFd(::open(lg.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.fd) {
        out.failure = Failure{"cannot create " + lg.path + ": " + std::strerror(errno), "", lg.path};
        return out;
    }
    // The group and mode before the size: the client may open it as soon as it has a name.
    if (::fchown(out.fd.get(), 0, access->group) != 0 || ::fchmod(out.fd.get(), 0660) != 0)
        out.failure = Failure{"cannot give " + lg.path + " to " + (lg.owner.empty() ? "root" : lg.owner) + "'s group: " + std::strerror(errno), "", lg.path};
    else if (::ftruncate(out.fd.get(), off_t(lg.size_mib) << 20) != 0)
        out.failure = Failure{"cannot size " + lg.path + " to " + std::to_string(lg.size_mib) + " MiB: " + std::strerror(errno), "", lg.path};
    if (out.failure) out.fd.reset();
    return out;
}

std::string check_shm_entry(const std::string& vm_name, const nlohmann::json& args) {
    auto path = JournalArgs(args).text("path");
    if (!path || path->empty() || (*path)[0] != '/' || path->find("/../") != std::string::npos)
        return "no absolute path";
    if (std::filesystem::path(*path).filename() != vm_file_name(vm_name)) return "not this VM's Looking Glass file";
    return "";
}

UndoOutcome remove_shm_file(const nlohmann::json& args) {
    auto path = *JournalArgs(args).text("path");
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return UndoOutcome::nothing();  // gone already (a reboot empties /dev/shm)
    if (!S_ISREG(st.st_mode)) return UndoOutcome::left_alone(path + " is not a plain file any more: not touched");
    if (::unlink(path.c_str()) != 0) return UndoOutcome::failed({"cannot remove " + path + ": " + std::strerror(errno), "rm " + path, path});
    return UndoOutcome::done("removed Looking Glass's shared memory " + path);
}

}  // namespace vmrun
