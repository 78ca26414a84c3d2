#include "host/journal.h"

#include "host/journal_args.h"
#include "host/sysfs_io.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace vmrun {

std::string current_boot_for(const nlohmann::json& args, const std::string& boot_root) {
    JournalArgs a(args);
    return boot_id(a.has_sysroot() ? *a.text("sysroot") : boot_root);
}

Failure journal_failure(const Journal& journal, const std::error_code& ec) {
    return {"cannot write the journal " + journal.path() + ": " + ec.message(), "make the state folder writable and its disk not full",
            journal.path()};
}

Lifetime lifetime_of(std::string_view action) {
    return action == "runtime-folder" || action == "shm-file" ? Lifetime::on_disk : Lifetime::this_boot;
}

namespace {

// A file on a RAM filesystem (/run, /dev/shm, most XDG_RUNTIME_DIRs) dies with
// the boot like kernel state: its entry needs no wait on the disk. Looked up
// at the path, or the nearest folder above it that exists.
bool on_ram_filesystem(std::filesystem::path path) {
    for (; !path.empty(); path = path.parent_path()) {
        struct statfs fs {};
        if (::statfs(path.c_str(), &fs) == 0) return fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC;
        if (errno != ENOENT || path == path.parent_path()) return false;
    }
    return false;
}

}  // namespace

bool needs_durable_write(const JournalEntry& entry) {
    if (lifetime_of(entry.action) != Lifetime::on_disk) return false;
    auto path = entry.args.is_object() ? entry.args.find("path") : entry.args.end();
    return !entry.args.is_object() || path == entry.args.end() || !path->is_string() || !on_ram_filesystem(path->get<std::string>());
}

std::error_code Journal::record(const JournalEntry& entry) {
    auto args = entry.args.is_object() ? entry.args : nlohmann::json::object();
    if (!args.contains("boot")) args["boot"] = current_boot_for(args, boot_root_);
    std::string lines = nlohmann::json{{"action", entry.action}, {"args", args}}.dump() + "\n";
    bool durable = needs_durable_write(entry);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return {errno, std::generic_category()};
    std::error_code ec;
    if (::write(fd, lines.data(), lines.size()) != ssize_t(lines.size()) || (durable && ::fdatasync(fd) != 0))
        ec = {errno, std::generic_category()};
    ::close(fd);
    // Its name must be durable too, or a power loss could lose the whole
    // journal; the file may be new, or made by a this_boot entry unsynced.
    if (ec || !durable) return ec;
    auto dir = std::filesystem::path(path_).parent_path().string();
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

Journal::Contents Journal::read() const {
    Contents out;
    std::ifstream in(path_);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        bool last = in.eof();  // no newline after it: cut off mid-write
        auto j = nlohmann::json::parse(line, nullptr, false);
        std::string problem;
        if (j.is_discarded() || !j.is_object()) problem = "not a JSON object";
        else if (!j.contains("action") || !j["action"].is_string()) problem = "no action";
        else if (j.contains("args") && !j["args"].is_object()) problem = "its args are not an object";
        if (problem.empty()) {
            out.entries.push_back({j["action"].get<std::string>(), j.value("args", nlohmann::json::object())});
        } else if (!last) {
            out.problems.push_back("journal line " + std::to_string(number) + ": " + problem + "; skipped");
        }
    }
    return out;
}

std::optional<nlohmann::json> Journal::unsettled(const std::string& action, const std::string& key) const {
    std::optional<nlohmann::json> first;
    for (const auto& e : read().entries) {
        if (JournalArgs(e.args).text("key") != key) continue;
        if (e.action == "settled") first.reset();
        else if (e.action == action && !first) first = e.args;
    }
    return first;
}

bool Journal::exists() const {
    std::error_code ec;
    return std::filesystem::exists(path_, ec);
}

void Journal::remove() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

std::vector<std::string> RestoreReport::lines() const {
    std::vector<std::string> out;
    for (const auto& u : undone) out.push_back("restored: " + u);
    for (const auto& l : left_alone) out.push_back("left alone: " + l);
    for (const auto& w : skipped) out.push_back("warning: " + w);
    for (const auto& e : errors) out.push_back("restore failed: " + e.text());
    return out;
}

RestoreReport Restorer::restore(Journal& journal) const { return walk(journal, &journal); }

RestoreReport Restorer::rehearse(const Journal& journal) const { return walk(journal, nullptr); }

RestoreReport Restorer::walk(const Journal& journal, Journal* recording) const {
    RestoreReport report;
    auto contents = journal.read();
    const auto& entries = contents.entries;
    report.skipped = contents.problems;
    std::set<std::string> settled;
    std::map<std::string, nlohmann::json> left;  // key -> what the change left, newest "left" entry
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        auto key = JournalArgs(it->args).text("key").value_or("");
        if (it->action == "settled") {
            settled.insert(key);
            continue;
        }
        if (it->action == "left") {
            if (!key.empty() && it->args.contains("state")) left.emplace(key, it->args["state"]);
            continue;
        }
        if (!key.empty() && settled.count(key)) continue;
        auto undo = undo_.find(it->action);
        std::string shown = it->args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 200);
        if (undo == undo_.end()) {
            report.skipped.push_back("journal entry '" + it->action + "' is unknown to this vmrun; not undone: " + shown);
            continue;
        }
        const auto& [check, run, lifetime, once_per_key] = undo->second;
        if (auto why = check(it->args); !why.empty()) {
            report.skipped.push_back("journal entry '" + it->action + "' skipped: " + why + ": " + shown);
            continue;
        }
        if (lifetime == Lifetime::this_boot) {
            // An entry without a boot predates boot ids; its undo's own checks of the host decide.
            auto written = JournalArgs(it->args).text("boot");
            auto now = current_boot_for(it->args, journal.boot_root());
            if (written && *written != now) {
                report.left_alone.push_back("'" + it->action + "' was written in an earlier boot: what it changed in the kernel went with "
                                            "that boot; not undone: " + shown);
                continue;
            }
        }
        auto args = it->args;
        if (auto l = left.find(key); !key.empty() && l != left.end()) args["left"] = l->second;
        auto outcome = recording ? run(args) : UndoOutcome::done("would undo " + it->action);
        switch (outcome.kind) {
            case UndoOutcome::Kind::nothing: break;
            case UndoOutcome::Kind::done: report.undone.push_back(outcome.text); break;
            case UndoOutcome::Kind::left_alone: report.left_alone.push_back(outcome.text); break;
            case UndoOutcome::Kind::failed: report.errors.push_back(outcome.failure); break;
        }
        bool failed = outcome.kind == UndoOutcome::Kind::failed;
        if (once_per_key && !key.empty()) {
            settled.insert(key);
            if (!failed && recording) (void)recording->record(settled_entry(key));
        }
    }
    if (report.ok() && recording) recording->remove();
    return report;
}

}  // namespace vmrun
