#include "vm/snapshot.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "host/run_command.h"
#include "plan/qmp_answers.h"
#include "profile/profile_file.h"
#include "run/instance_lock.h"
#include "vm/guest_agent.h"
#include "vm/qmp_connect.h"
#include "vm/snapshot_rules.h"

namespace vmrun {

namespace {

using namespace std::chrono_literals;
constexpr auto kImageCommand = std::chrono::seconds(600);  // a big image's snapshot copies metadata for minutes

// The snapshots qemu-img sees in one image.
std::optional<nlohmann::json> image_snapshots(const std::string& path, std::string& why) {
    auto r = run_command({"qemu-img", "info", "--force-share", "--output=json", path}, std::chrono::seconds(60));
    if (!r.ok()) {
        why = "qemu-img info " + path + ": " + r.describe();
        return std::nullopt;
    }
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    if (!j.is_object()) {
        why = "qemu-img info " + path + " printed no JSON";
        return std::nullopt;
    }
    return j.contains("snapshots") && j["snapshots"].is_array() ? j["snapshots"] : nlohmann::json::array();
}

void add_listed(std::map<std::string, SnapshotInfo>& by_tag, const nlohmann::json& snapshots, const std::string& disk) {
    for (const auto& s : snapshots) {
        if (!s.is_object() || !s.contains("name") || !s["name"].is_string()) continue;
        auto& info = by_tag[s["name"].get<std::string>()];
        info.tag = s["name"].get<std::string>();
        if (s.contains("date-sec") && s["date-sec"].is_number_integer()) info.date = s["date-sec"].get<long long>();
        if (s.contains("vm-state-size") && s["vm-state-size"].is_number_unsigned())
            info.vm_state = std::max(info.vm_state, s["vm-state-size"].get<unsigned long long>());
        info.disks.push_back(disk);
    }
}

std::vector<SnapshotInfo> listed(const std::map<std::string, SnapshotInfo>& by_tag) {
    std::vector<SnapshotInfo> out;
    for (const auto& [tag, info] : by_tag) out.push_back(info);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.date < b.date; });
    return out;
}

Failure exists_already(const std::string& tag) {
    return {"a snapshot '" + tag + "' exists already", "pick another name, or delete it first", ""};
}
Failure no_such_snapshot(const std::string& tag, const std::string& vm_or_profile, bool somewhere = false) {
    return {"no snapshot '" + tag + "'" + (somewhere ? " on every disk" : ""), "see vmrun snapshot " + vm_or_profile + " list", ""};
}

SnapshotOutcome offline(const SnapshotRequest& r) {
    SnapshotOutcome out;
    if (r.profile_path.empty()) {
        out.failure = Failure{r.vm.name + " is not running, and vmrun knows no profile for it",
                              "give the profile: vmrun snapshot PROFILE ...", ""};
        return out;
    }
    auto file = read_profile_file(r.profile_path);
    if (!file.readable) {
        out.failure = Failure{"cannot read " + r.profile_path + ": " + file.read_error, "", r.profile_path};
        return out;
    }
    const auto& loaded = file.loaded;
    if (loaded.diagnostics.has_errors()) {
        out.failure = Failure{r.profile_path + " has errors", "see vmrun validate " + r.profile_path, r.profile_path};
        return out;
    }
    auto covered = snapshot_disks(loaded.profile);
    if (covered.failure) {
        out.failure = covered.failure;
        return out;
    }
    std::map<std::string, SnapshotInfo> by_tag;
    for (const auto& d : covered.disks) {
        std::string why;
        auto snaps = image_snapshots(d.path, why);
        if (!snaps) {
            out.failure = Failure{why, "", d.path};
            return out;
        }
        add_listed(by_tag, *snaps, d.id);
    }
    auto has_everywhere = [&](const std::string& tag) {
        auto it = by_tag.find(tag);
        return it != by_tag.end() && it->second.disks.size() == covered.disks.size();
    };
    auto img = [&](const char* flag, const Disk& d) {
        return run_command({"qemu-img", "snapshot", flag, r.tag, d.path}, kImageCommand);
    };
    switch (r.action) {
        case SnapshotAction::list: out.snapshots = listed(by_tag); return out;
        case SnapshotAction::create: {
            if (by_tag.count(r.tag)) {
                out.failure = exists_already(r.tag);
                return out;
            }
            std::vector<const Disk*> made;
            for (const auto& d : covered.disks) {
                auto c = img("-c", d);
                if (!c.ok()) {
                    // All disks or none: a snapshot of half the disks would revert to a state that never was.
                    for (const auto* m : made) (void)img("-d", *m);
                    out.failure = Failure{"qemu-img snapshot -c " + r.tag + " " + d.path + ": " + c.describe(),
                                          "", d.path};
                    return out;
                }
                made.push_back(&d);
            }
            out.done = "snapshot '" + r.tag + "' of " + std::to_string(made.size()) + " disk" + (made.size() == 1 ? "" : "s");
            return out;
        }
        case SnapshotAction::revert:
        case SnapshotAction::remove: {
            bool revert = r.action == SnapshotAction::revert;
            if (revert ? !has_everywhere(r.tag) : !by_tag.count(r.tag)) {
                out.failure = no_such_snapshot(r.tag, r.profile_path, by_tag.count(r.tag) > 0);
                return out;
            }
            for (const auto& d : covered.disks) {
                if (!revert && std::find(by_tag[r.tag].disks.begin(), by_tag[r.tag].disks.end(), d.id) == by_tag[r.tag].disks.end()) continue;
                auto c = img(revert ? "-a" : "-d", d);
                if (!c.ok()) {
                    out.failure = Failure{std::string("qemu-img snapshot ") + (revert ? "-a " : "-d ") + r.tag + " " + d.path + ": " + c.describe(),
                                          "", d.path};
                    return out;
                }
            }
            out.done = (revert ? "reverted to snapshot '" : "deleted snapshot '") + r.tag + "'";
            return out;
        }
    }
    return out;
}

// A QMP snapshot job, waited for to its end; "" or QEMU's error. Its end is
// the JOB_STATUS_CHANGE to "concluded" (kept by the client if it came while
// the command was answered); query-jobs then says whether it failed.
std::string run_job(qmp::Client& c, const std::string& command, const nlohmann::json& args) {
    auto id = args.value("job-id", std::string());
    auto started = c.execute(command, args);
    if (!started) return started.describe();
    auto concluded = c.wait_event("JOB_STATUS_CHANGE", [&](const qmp::Event& e) {
        return e.data.is_object() && e.data.value("id", std::string()) == id && e.data.value("status", std::string()) == "concluded";
    }, 30min);
    if (!concluded) return "the job did not end within 30 minutes";
    std::string error;
    if (auto jobs = c.execute("query-jobs"); jobs && jobs.value.is_array())
        for (const auto& j : jobs.value)
            if (j.is_object() && j.value("id", std::string()) == id && j.contains("error") && j["error"].is_string()) error = j["error"];
    (void)c.execute("job-dismiss", {{"id", id}});
    return error;
}

// The running VM's disks alone: one transaction of internal snapshots (all
// disks or none), the guest's filesystems frozen around it when it has a
// guest agent — and thawed on every way out, since a guest left frozen
// stops writing. `done` gains how consistent the snapshot is.
std::optional<Failure> disks_only(qmp::Client& c, const SnapshotRequest& r, const std::vector<std::string>& nodes, std::string& done) {
    std::unique_ptr<qmp::AgentClient> agent;
    std::error_code fec;
    if (std::filesystem::exists(r.vm.agent_socket(), fec)) {
        auto connected = connect_guest_agent(r.vm, 10s);
        if (!connected.client) return connected.failure;
        agent = std::move(connected.client);
        // Blocks until the guest's filesystems are flushed and frozen (qemu-ga answers then).
        auto frozen = agent->execute("guest-fsfreeze-freeze", nlohmann::json(), 60s);
        if (!frozen) {
            (void)agent->execute("guest-fsfreeze-thaw", nlohmann::json(), 60s);
            return Failure{"the guest agent could not freeze the guest's filesystems: " + frozen.describe() + "; no snapshot was taken",
                           "see what the guest says (vmrun agent " + r.vm.name + " guest-fsfreeze-status), or stop the VM and take it then", ""};
        }
        int count = frozen.value.is_number_integer() ? frozen.value.get<int>() : 0;
        done += " (" + std::to_string(count) + " filesystem" + (count == 1 ? "" : "s") + " frozen by the guest agent)";
    } else {
        done += " (crash-consistent: the VM has no guest agent to freeze its filesystems)";
    }
    auto actions = nlohmann::json::array();
    for (const auto& node : nodes) actions.push_back({{"type", "blockdev-snapshot-internal-sync"}, {"data", {{"device", node}, {"name", r.tag}}}});
    auto taken = c.execute("transaction", {{"actions", actions}}, 600s);
    std::optional<Failure> failure;
    if (!taken) failure = Failure{"QEMU could not take snapshot '" + r.tag + "' of the disks: " + taken.describe(), "", ""};
    if (agent) {
        auto thawed = agent->execute("guest-fsfreeze-thaw", nlohmann::json(), 60s);
        if (!thawed) {
            auto what = "the guest's filesystems may still be frozen: the guest agent did not thaw them (" + thawed.describe() + ")";
            return Failure{failure ? failure->what + "; and " + what : what, "vmrun agent " + r.vm.name + " guest-fsfreeze-thaw", ""};
        }
    }
    return failure;
}

SnapshotOutcome live(const SnapshotRequest& r) {
    SnapshotOutcome out;
    out.live = true;
    auto client = connect_qmp(r.vm.qmp_socket(), r.vm.name);
    if (!client) {
        out.failure = Failure{"cannot reach " + r.vm.name + "'s QMP socket", "", r.vm.qmp_socket()};
        return out;
    }
    auto& c = *client;
    // A VFIO device's state cannot be saved: of such a VM only the disks, and only when asked.
    if (r.action == SnapshotAction::revert || (r.action == SnapshotAction::create && !r.disk_only)) {
        auto peripherals = c.execute("qom-list", {{"path", "/machine/peripheral"}});
        if (auto vfio = vfio_devices_in(peripherals.value); !vfio.empty()) {
            auto what = r.vm.name + " has passed-through devices (" + vfio.front() + (vfio.size() > 1 ? ", ..." : "") +
                        "), whose state QEMU cannot save";
            out.failure = r.action == SnapshotAction::create
                              ? Failure{what, "take its disks alone, the guest's filesystems frozen by its agent: vmrun snapshot " + r.vm.name +
                                                  " create " + r.tag + " --disk-only; or stop it first (vmrun stop " + r.vm.name + ")", ""}
                              : Failure{what, "stop it first (vmrun stop " + r.vm.name + "), then revert its disks: vmrun snapshot PROFILE revert " + r.tag, ""};
            return out;
        }
    }
    auto block = c.execute("query-block");
    if (!block || !block.value.is_array()) {
        out.failure = Failure{"query-block: " + block.describe(), "", ""};
        return out;
    }
    std::vector<std::string> nodes;
    std::map<std::string, SnapshotInfo> by_tag;
    for (const auto& b : block.value) {
        if (!b.is_object() || !b.contains("inserted") || !b["inserted"].is_object()) continue;
        const auto& in = b["inserted"];
        if (in.value("ro", false)) continue;
        std::string device = b.value("device", std::string());
        if (in.value("drv", std::string()) != "qcow2") {
            out.failure = Failure{"disk " + device + " (" + in.value("file", std::string()) + ") is not qcow2: an internal snapshot lives inside a qcow2 image",
                                  "convert it with qemu-img convert -O qcow2 while the VM is off", in.value("file", std::string())};
            return out;
        }
        nodes.push_back(in.value("node-name", std::string()));
        if (in.contains("image") && in["image"].is_object() && in["image"].contains("snapshots"))
            add_listed(by_tag, in["image"]["snapshots"], device);
    }
    if (nodes.empty()) {
        out.failure = Failure{r.vm.name + " has no writable disk to take a snapshot of", "", ""};
        return out;
    }
    if (r.action == SnapshotAction::list) {
        out.snapshots = listed(by_tag);
        return out;
    }
    bool exists = by_tag.count(r.tag) > 0;
    if (r.action == SnapshotAction::create && exists) {
        out.failure = exists_already(r.tag);
        return out;
    }
    if (r.action != SnapshotAction::create && !exists) {
        out.failure = no_such_snapshot(r.tag, r.vm.name);
        return out;
    }
    // snapshot-load needs the RAM and devices a disks-only snapshot lacks, and
    // QEMU pauses the guest before it finds out.
    if (r.action == SnapshotAction::revert && by_tag[r.tag].vm_state == 0) {
        out.failure = Failure{"snapshot '" + r.tag + "' holds disks only: a running VM cannot go back to it",
                              "stop the VM (vmrun stop " + r.vm.name + ") and revert it then: vmrun snapshot PROFILE revert " + r.tag, ""};
        return out;
    }
    if (r.action == SnapshotAction::create && r.disk_only) {
        out.done = "snapshot '" + r.tag + "' of the running VM's disks";
        if (auto failure = disks_only(c, r, nodes, out.done)) out.failure = failure;
        return out;
    }
    nlohmann::json args = {{"job-id", "vmrun-snapshot"}, {"tag", r.tag}, {"devices", nodes}};
    if (r.action != SnapshotAction::remove) args["vmstate"] = nodes.front();  // the RAM and devices go with the first disk
    const char* command = r.action == SnapshotAction::create ? "snapshot-save" : r.action == SnapshotAction::revert ? "snapshot-load" : "snapshot-delete";
    bool was_running = run_state_in(c.execute("query-status").value) == "running";
    if (auto e = run_job(c, command, args); !e.empty()) {
        // A load that failed leaves the guest paused (QEMU stopped it to load): it goes on as it was.
        if (was_running && run_state_in(c.execute("query-status").value) != "running") (void)c.execute("cont");
        const char* verb = r.action == SnapshotAction::create ? "save" : r.action == SnapshotAction::revert ? "load" : "delete";
        out.failure = Failure{std::string("QEMU could not ") + verb + " snapshot '" + r.tag + "': " + e, "", ""};
        return out;
    }
    out.done = r.action == SnapshotAction::create   ? "snapshot '" + r.tag + "' of the running VM (disks, RAM and devices)"
               : r.action == SnapshotAction::revert ? "the running VM is back at snapshot '" + r.tag + "'"
                                                    : "deleted snapshot '" + r.tag + "'";
    return out;
}

}  // namespace

SnapshotOutcome run_snapshot(const SnapshotRequest& r) {
    if (r.action != SnapshotAction::list && !is_snapshot_tag(r.tag)) {
        SnapshotOutcome out;
        out.failure = Failure{"'" + r.tag + "' is no snapshot name", "use letters, digits, '-', '_' and '.', starting with a letter (at most 64)", ""};
        return out;
    }
    pid_t supervisor = 0;
    return vm_running(r.vm, supervisor) ? live(r) : offline(r);
}

}  // namespace vmrun
