#pragma once
// The host-change journal: every change vmrun makes to the host (a driver
// bind, a tap, a bridge port, the QEMU process itself) is written here and
// fsync'd *before* it is made, so that after any exit — clean, error, crash,
// SIGKILL — replaying the journal in reverse puts the host back.
//
// One JSON object per line; a torn last line (crash mid-write) is ignored,
// which is safe because its change had not been made yet.

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <system_error>
#include <vector>

namespace vmrun {

struct JournalEntry {
    std::string action;  // "runtime-folder", "qemu-process", "pci-driver", "tap", ...
    nlohmann::json args; // args["key"], when present, names the thing changed (see "settled")
};

// An entry {"settled", {"key": K}} says the things recorded under key K
// before it are already put back (a device given back after an unplug), so a
// replay must leave them alone — they may belong to someone else by then.
inline JournalEntry settled_entry(const std::string& key) { return {"settled", {{"key", key}}}; }

class Journal {
public:
    explicit Journal(std::string path) : path_(std::move(path)) {}
    const std::string& path() const { return path_; }

    // Appends and syncs (fdatasync: an append changes the size, which it
    // covers; the folder too when this created the file). Only after it returns may the
    // change be made. Returns the error when the record could not be made durable.
    std::error_code record(const JournalEntry& entry);
    // The entries, and one line per line that is not an entry ("journal line
    // 3: ..."), which a replay reports and skips. A torn last line (a crash
    // mid-write, before its change was made) is skipped without a word.
    struct Contents {
        std::vector<JournalEntry> entries;
        std::vector<std::string> problems;
    };
    Contents read() const;
    bool exists() const;
    // Called once every entry has been undone.
    void remove();

private:
    std::string path_;
};

struct RestoreReport {
    std::vector<std::string> undone;   // what was put back, for the log
    std::vector<std::string> errors;   // what could not be, with why (the journal is kept)
    std::vector<std::string> skipped;  // entries vmrun could not have written, left alone (warnings)
    bool ok() const { return errors.empty(); }
};

// Undo functions by action. Each must be idempotent: a restore can itself be
// interrupted and run again.
class Restorer {
public:
    using Undo = std::function<std::string(const nlohmann::json& args, std::string& error)>;
    // "" when `args` are what vmrun itself writes for this action; else why not.
    // An entry that fails its check is skipped, never acted on.
    using Check = std::function<std::string(const nlohmann::json& args)>;
    // `once_per_key`: for a change that is not idempotent by itself (lowering
    // a count): the newest entry with a key stands for all older ones with
    // it, and once its undo succeeds a "settled" entry is recorded, so an
    // interrupted restore run again does not undo it twice.
    void on(const std::string& action, Check check, Undo undo, bool once_per_key = false) {
        undo_[action] = {std::move(check), std::move(undo), once_per_key};
    }
    // Replays `journal` newest first; removes it when every undo succeeded.
    RestoreReport restore(Journal& journal) const;

private:
    struct Handler {
        Check check;
        Undo undo;
        bool once_per_key = false;
    };
    std::map<std::string, Handler> undo_;
};

}  // namespace vmrun
