#include "host/journal.h"
#include "host/journal_args.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>

namespace vmrun {

std::error_code Journal::record(const JournalEntry& entry) {
    std::string lines = nlohmann::json{{"action", entry.action}, {"args", entry.args}}.dump() + "\n";
    // O_EXCL first: only a journal this call creates needs its folder synced.
    bool created = true;
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        created = false;
        fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    }
    if (fd < 0) return {errno, std::generic_category()};
    std::error_code ec;
    if (::write(fd, lines.data(), lines.size()) != ssize_t(lines.size()) || ::fdatasync(fd) != 0)
        ec = {errno, std::generic_category()};
    ::close(fd);
    if (ec || !created) return ec;
    // The file's name must be durable too, or a crash could lose the whole journal.
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

bool Journal::exists() const {
    std::error_code ec;
    return std::filesystem::exists(path_, ec);
}

void Journal::remove() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

RestoreReport Restorer::restore(Journal& journal) const {
    RestoreReport report;
    auto contents = journal.read();
    const auto& entries = contents.entries;
    report.skipped = contents.problems;
    std::set<std::string> settled;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        auto key = JournalArgs(it->args).text("key").value_or("");
        if (it->action == "settled") {
            settled.insert(key);
            continue;
        }
        if (!key.empty() && settled.count(key)) continue;
        auto undo = undo_.find(it->action);
        std::string shown = it->args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 200);
        if (undo == undo_.end()) {
            report.skipped.push_back("journal entry '" + it->action + "' is unknown to this vmrun; not undone: " + shown);
            continue;
        }
        const auto& [check, run, once_per_key] = undo->second;
        if (auto why = check(it->args); !why.empty()) {
            report.skipped.push_back("journal entry '" + it->action + "' skipped: " + why + ": " + shown);
            continue;
        }
        std::string error;
        std::string done = run(it->args, error);
        if (!error.empty()) report.errors.push_back(error);
        else if (!done.empty()) report.undone.push_back(done);
        if (once_per_key && !key.empty()) {
            settled.insert(key);
            if (error.empty()) (void)journal.record(settled_entry(key));
        }
    }
    if (report.ok()) journal.remove();
    return report;
}

}  // namespace vmrun
