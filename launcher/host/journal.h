#pragma once
// The host-change journal: every change vmrun makes to the host (a driver
// bind, a tap, a bridge port, the QEMU process itself) is written here and
// fsync'd *before* it is made, so that after any exit — clean, error, crash,
// SIGKILL — replaying the journal in reverse puts the host back.
//
// One JSON object per line; a torn last line (crash mid-write) is ignored,
// which is safe because its change had not been made yet.
//
// The journal outlives the process and the boot that wrote it, and the host
// goes on changing without it (a reboot, the user's own hands), so a replay
// trusts the host over the journal: every entry carries the boot it was
// written in, and every undo first checks that the host still shows what
// vmrun left there. Anything else is left alone and said so.

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/failure.h"

namespace vmrun {

struct JournalEntry {
    std::string action;  // "runtime-folder", "qemu-process", "pci-driver", "tap", ...
    nlohmann::json args; // args["key"], when present, names the thing changed (see "settled")
};

// An entry {"settled", {"key": K}} says the things recorded under key K
// before it are already put back (a device given back after an unplug), so a
// replay must leave them alone — they may belong to someone else by then.
inline JournalEntry settled_entry(const std::string& key) { return {"settled", {{"key", key}}}; }

// An entry {"left", {"key": K, "state": S}} records what vmrun's change under
// key K left on the host once it was made (a tap's ifindex): known only
// after the change, so written after it. The replay hands S to K's undo as
// args["left"]; a crash between the change and this entry leaves the undo
// with what the first entry says.
inline JournalEntry left_entry(const std::string& key, nlohmann::json state) {
    return {"left", {{"key", key}, {"state", std::move(state)}}};
}

// What a journaled change lives in, which decides whether a reboot undid it.
enum class Lifetime {
    this_boot,  // kernel state (drivers, consoles, modules, links, pools, mounts, processes): gone with the boot
    on_disk,    // files (a folder, a shared-memory file, a node's owner): judged by what is there now
};

// By action: only a runtime folder and a shared-memory file are on_disk
// (both kinds whose undo looks at what is there now).
Lifetime lifetime_of(std::string_view action);

// Whether recording `entry` waits for the disk: an on_disk change that can
// outlive the boot. One at args["path"] on a RAM filesystem (a runtime folder
// under /run, Looking Glass's file in /dev/shm) cannot.
bool needs_durable_write(const JournalEntry& entry);

class Journal {
public:
    // `boot_root`: where this boot's id is read (proc/sys/kernel/random/boot_id)
    // for entries that name no sysroot of their own; a simulated root in tests.
    explicit Journal(std::string path, std::string boot_root = "/") : path_(std::move(path)), boot_root_(std::move(boot_root)) {}
    const std::string& path() const { return path_; }

    // Stamps the entry with this boot's id ("boot", unless it has one) — of
    // its "sysroot" when it names one, else of the journal's boot root, and
    // appends it. Only after it returns may the change be made. An on_disk
    // entry is synced too (fdatasync, and the folder once the file is new):
    // a this_boot change dies with the boot, so after a power loss its entry
    // would undo nothing — the page cache, which outlives any crash of vmrun,
    // is enough for it, and a start does not wait on the disk for it.
    // Returns the error when the record could not be written (or synced).
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
    // The args of the first `action` entry under `key` since the key was last
    // settled: the state before the change still in force (a device given
    // back after an unplug is settled; taken again, a new first entry counts).
    std::optional<nlohmann::json> unsettled(const std::string& action, const std::string& key) const;
    // Called once every entry has been undone.
    void remove();

    const std::string& boot_root() const { return boot_root_; }

private:
    std::string path_, boot_root_;
};

// What a host change says when its journal entry could not be written (it
// then makes no change).
Failure journal_failure(const Journal& journal, const std::error_code& ec);

// The boot an entry's kernel state belongs to: the id of its "sysroot" when
// it names one, else of `boot_root`.
std::string current_boot_for(const nlohmann::json& args, const std::string& boot_root);

struct RestoreReport {
    std::vector<std::string> undone;      // what was put back, for the log
    std::vector<Failure> errors;          // what could not be, with why and the fix (the journal is kept)
    std::vector<std::string> skipped;     // entries vmrun could not have written, left alone (warnings)
    std::vector<std::string> left_alone;  // what the host shows that vmrun did not leave (another boot, another driver...): not touched
    bool ok() const { return errors.empty(); }
    // Every line, prefixed for stderr ("vmrun: restored: ...").
    std::vector<std::string> lines() const;
};

// What one undo did. `left_alone`: the host no longer shows what vmrun left
// (the device is on another driver, the interface is a new one with the same
// name), so nothing was touched — with what was found, for the user. A
// failed undo says what is still changed and how to put it right, like every
// other failure vmrun reports.
struct UndoOutcome {
    enum class Kind { nothing, done, left_alone, failed };
    Kind kind = Kind::nothing;
    std::string text;  // done, left_alone: what happened
    Failure failure;   // failed
    static UndoOutcome nothing() { return {}; }
    static UndoOutcome done(std::string text) { return {Kind::done, std::move(text), {}}; }
    static UndoOutcome left_alone(std::string text) { return {Kind::left_alone, std::move(text), {}}; }
    static UndoOutcome failed(Failure failure) { return {Kind::failed, {}, std::move(failure)}; }
    // One line for a person: the text, or the failure with its fix.
    std::string shown() const { return kind == Kind::failed ? failure.text() : text; }
};

// Undo functions by action. Each must be idempotent: a restore can itself be
// interrupted and run again.
class Restorer {
public:
    using Undo = std::function<UndoOutcome(const nlohmann::json& args)>;
    // "" when `args` are what vmrun itself writes for this action; else why not.
    // An entry that fails its check is skipped, never acted on.
    using Check = std::function<std::string(const nlohmann::json& args)>;
    // `once_per_key`: for a change that is not idempotent by itself (lowering
    // a count): the newest entry with a key stands for all older ones with
    // it, and once its undo succeeds a "settled" entry is recorded, so an
    // interrupted restore run again does not undo it twice.
    // An entry of `Lifetime::this_boot` written in another boot undoes
    // nothing: it is reported in left_alone and settled.
    // The action's lifetime is lifetime_of(action): the one the journal synced it by.
    void on(const std::string& action, Check check, Undo undo, bool once_per_key = false) {
        undo_[action] = {std::move(check), std::move(undo), lifetime_of(action), once_per_key};
    }
    // Replays `journal` newest first; removes it when every undo succeeded.
    RestoreReport restore(Journal& journal) const;
    // The same walk — reading, checks, boot rule, settled and left entries —
    // without one undo: what each entry would be handed to ("would undo ACTION"
    // in undone). For the journal's fuzz target; it changes nothing, not even the journal.
    RestoreReport rehearse(const Journal& journal) const;

private:
    RestoreReport walk(const Journal& journal, Journal* recording) const;
    struct Handler {
        Check check;
        Undo undo;
        Lifetime lifetime = Lifetime::this_boot;
        bool once_per_key = false;
    };
    std::map<std::string, Handler> undo_;
};

}  // namespace vmrun
