#include "host/input/evdev_devices.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "host/journal_args.h"
#include "plan/input_reattach.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {
constexpr unsigned kInputMajor = 13;

// May `uid` (with primary group `gid`) read and write the file? Supplementary
// groups are not looked at: at worst access is granted that was there already.
bool may_use(const struct stat& st, uid_t uid, gid_t gid) {
    constexpr mode_t rw_user = S_IRUSR | S_IWUSR, rw_group = S_IRGRP | S_IWGRP, rw_other = S_IROTH | S_IWOTH;
    if (uid == 0) return true;
    if (st.st_uid == uid) return (st.st_mode & rw_user) == rw_user;
    if (st.st_gid == gid) return (st.st_mode & rw_group) == rw_group;
    return (st.st_mode & rw_other) == rw_other;
}
std::string octal(unsigned mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", mode);
    return text;
}
}  // namespace

std::string evdev_problem(const std::string& sysroot, const std::string& path) {
    auto where = fs::path(sysroot) / fs::path(path).relative_path();
    struct stat st {};
    if (::stat(where.c_str(), &st) != 0)
        return errno == ENOENT ? "is not there (the device is unplugged, or the path is misspelt)" : std::string("cannot be read: ") + std::strerror(errno);
    std::error_code ec;
    auto name = fs::canonical(where, ec).filename().string();
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != kInputMajor)
        return "is not an input device (not a character device of major 13)";
    if (!is_event_node_name(name)) return "is an input device but not an evdev event device (it is " + name + ")";
    return "";
}

std::vector<Failure> input_problems(const LaunchPlan& plan) {
    std::vector<Failure> out;
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

namespace {

// The node itself, opened once: every check and change goes through the fd,
// so a path flipped between the look and the change (a link swapped for
// root's file) changes nothing. -1 with `error` set when it is not an evdev node.
int open_evdev_node(const fs::path& node, struct stat& st, std::string& error) {
    // O_PATH: the inode without opening the device (no driver call; works on a nodev mount too).
    int fd = ::open(node.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        error = "cannot open " + node.string() + ": " + std::strerror(errno);
        return -1;
    }
    if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != kInputMajor) {
        ::close(fd);
        error = node.string() + " is not an input device (it changed while vmrun looked at it)";
        return -1;
    }
    return fd;
}

// Through the O_PATH fd: fchownat on it, chmod through its /proc/self/fd link (which names the inode, not a path).
bool set_owner_and_mode(int fd, uid_t uid, gid_t gid, mode_t mode) {
    return ::fchownat(fd, "", uid, gid, AT_EMPTY_PATH) == 0 && ::chmod(("/proc/self/fd/" + std::to_string(fd)).c_str(), mode) == 0;
}

}  // namespace

EvdevGrant grant_evdev_access(const std::string& sysroot, const std::string& path, uid_t uid, gid_t gid, Journal& journal) {
    EvdevGrant out;
    auto where = (fs::path(sysroot) / fs::path(path).relative_path()).string();
    std::error_code ec;
    auto real = fs::canonical(where, ec);  // the node itself, not a by-id link
    if (ec) {
        out.failure = Failure{"cannot resolve " + path + ": " + ec.message(), "", path};
        return out;
    }
    struct stat st {};
    std::string not_a_node;
    int fd = open_evdev_node(real, st, not_a_node);
    if (fd < 0) {
        out.failure = Failure{not_a_node, "", path};
        return out;
    }
    if (may_use(st, uid, gid)) {
        ::close(fd);
        return out;
    }
    auto node = real.filename().string();
    mode_t lent_mode = (st.st_mode & 07777) | S_IRUSR | S_IWUSR;
    // What vmrun leaves: this very device (its number; the name is reused
    // after a replug) owned by the run_as user with u+rw.
    nlohmann::json left = {{"rdev", uint64_t(st.st_rdev)}, {"uid", uid}, {"mode", lent_mode}};
    if (auto jec = journal.record({"evdev-access", {{"key", "evdev:" + node}, {"sysroot", sysroot}, {"node", node}, {"uid", st.st_uid},
                                                   {"gid", st.st_gid}, {"mode", st.st_mode & 07777}, {"left", left}}})) {
        ::close(fd);
        out.failure = journal_failure(journal, jec);
        return out;
    }
    if (!set_owner_and_mode(fd, uid, st.st_gid, lent_mode)) {
        out.failure = Failure{"cannot give " + real.string() + " to the run_as user: " + std::strerror(errno), "", real.string()};
        ::close(fd);
        return out;
    }
    ::close(fd);
    out.done = real.string() + " belongs to uid " + std::to_string(uid) + " until the VM ends";
    return out;
}

UndoOutcome give_back_evdev_access(Journal& journal, const std::string& node) {
    auto lent = journal.unsettled("evdev-access", "evdev:" + node);
    if (!lent) return UndoOutcome::nothing();
    auto outcome = restore_evdev_access(*lent);
    if (outcome.kind == UndoOutcome::Kind::failed) return outcome;
    if (auto ec = journal.record(settled_entry("evdev:" + node)))
        return UndoOutcome::failed({"gave " + node + " back, but cannot record it in " + journal.path() + ": " + ec.message(),
                                    "run 'vmrun restore' once it can be written", journal.path()});
    return outcome;
}

std::string check_evdev_access_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    if (!args.has_sysroot()) return "no absolute sysfs root";
    auto node = args.text("node");
    if (!node || !is_event_node_name(*node))
        return "no evdev node name";
    if (!args.integer("uid") || !args.integer("gid") || !args.integer("mode") || *args.integer("mode") < 0 || *args.integer("mode") > 07777)
        return "no owner and mode";
    return "";
}

UndoOutcome restore_evdev_access(const nlohmann::json& json) {
    JournalArgs args(json);
    auto path = (fs::path(*args.text("sysroot")) / "dev/input" / *args.text("node")).string();
    struct stat st {};
    std::string not_a_node;
    int fd = open_evdev_node(path, st, not_a_node);
    // Unplugged meanwhile: the kernel made the next node afresh, nothing to put back.
    if (fd < 0) return UndoOutcome::nothing();
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (st.st_uid == uid_t(*args.integer("uid")) && (st.st_mode & 07777) == mode_t(*args.integer("mode"))) return UndoOutcome::nothing();
    if (json.contains("left") && json["left"].is_object()) {
        JournalArgs left(json["left"]);
        if (auto rdev = left.count("rdev"); rdev && *rdev != uint64_t(st.st_rdev))
            return UndoOutcome::left_alone(path + " is another device now (" + std::to_string(major(st.st_rdev)) + ":" +
                                           std::to_string(minor(st.st_rdev)) + ", not the one vmrun lent): not touched");
        auto uid = left.integer("uid");
        auto mode = left.integer("mode");
        if (uid && mode && (st.st_uid != uid_t(*uid) || (st.st_mode & 07777) != mode_t(*mode)))
            return UndoOutcome::left_alone(path + " has owner " + std::to_string(st.st_uid) + " and mode " + octal(st.st_mode & 07777) +
                                           " now, not what vmrun lent it with: not touched");
    }
    if (!set_owner_and_mode(fd, uid_t(*args.integer("uid")), gid_t(*args.integer("gid")), mode_t(*args.integer("mode"))))
        return UndoOutcome::failed({"cannot give " + path + " its owner and mode back: " + std::strerror(errno),
                                    "chown " + std::to_string(*args.integer("uid")) + ":" + std::to_string(*args.integer("gid")) + " " + path +
                                        " && chmod " + octal(mode_t(*args.integer("mode"))) + " " + path, path});
    return UndoOutcome::done(path + " back to its owner and mode");
}

}  // namespace vmrun
