#include "host/journal.h"

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

std::vector<JournalEntry> Journal::read() const {
    std::vector<JournalEntry> out;
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("action")) continue;  // torn write
        out.push_back({j["action"].get<std::string>(), j.value("args", nlohmann::json::object())});
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
    auto entries = journal.read();
    std::set<std::string> settled;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        auto key = it->args.is_object() ? it->args.value("key", std::string()) : std::string();
        if (it->action == "settled") {
            settled.insert(key);
            continue;
        }
        if (!key.empty() && settled.count(key)) continue;
        auto undo = undo_.find(it->action);
        if (undo == undo_.end()) {
            report.errors.push_back("journal entry '" + it->action + "' is unknown to this vmrun: " + it->args.dump());
            continue;
        }
        std::string error;
        std::string done = undo->second(it->args, error);
        if (!error.empty()) report.errors.push_back(error);
        else if (!done.empty()) report.undone.push_back(done);
    }
    if (report.ok()) journal.remove();
    return report;
}

}  // namespace vmrun
