#include "vm/snapshot.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "host/run_command.h"
#include "profile/profile_file.h"
#include "run/instance_lock.h"
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
                out.failure = Failure{"a snapshot '" + r.tag + "' exists already", "pick another name, or delete it first", ""};
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
                out.failure = Failure{"no snapshot '" + r.tag + "'" + (by_tag.count(r.tag) ? " on every disk" : ""),
                                      "see vmrun snapshot " + r.profile_path + " list", ""};
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

// A QMP snapshot job, waited for to its end; "" or QEMU's error.
std::string run_job(qmp::Client& c, const std::string& command, const nlohmann::json& args) {
    auto started = c.execute(command, args);
    if (!started) return started.describe();
    auto deadline = std::chrono::steady_clock::now() + 30min;
    while (std::chrono::steady_clock::now() < deadline) {
        auto jobs = c.execute("query-jobs");
        if (!jobs || !jobs.value.is_array()) return jobs ? "query-jobs answered no list" : jobs.describe();
        for (const auto& j : jobs.value) {
            if (!j.is_object() || j.value("id", std::string()) != args.value("job-id", std::string())) continue;
            if (j.value("status", std::string()) != "concluded") break;
            std::string error = j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "";
            (void)c.execute("job-dismiss", {{"id", args["job-id"]}});
            return error;
        }
        std::this_thread::sleep_for(100ms);  // a job's end: query-jobs is the one portable view of it in 7.2
    }
    return "the job did not end within 30 minutes";
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
    if (r.action != SnapshotAction::list) {
        auto peripherals = c.execute("qom-list", {{"path", "/machine/peripheral"}});
        if (auto vfio = vfio_devices_in(peripherals.value); !vfio.empty()) {
            out.failure = Failure{r.vm.name + " has passed-through devices (" + vfio.front() + (vfio.size() > 1 ? ", ..." : "") +
                                      "), whose state QEMU cannot save",
                                  "stop it first (vmrun stop " + r.vm.name + "), then take the snapshot of its disks: vmrun snapshot PROFILE " +
                                      (r.action == SnapshotAction::create ? "create" : r.action == SnapshotAction::revert ? "revert" : "delete") +
                                      " " + r.tag,
                                  ""};
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
    switch (r.action) {
        case SnapshotAction::list: out.snapshots = listed(by_tag); return out;
        case SnapshotAction::create:
            if (by_tag.count(r.tag)) {
                out.failure = Failure{"a snapshot '" + r.tag + "' exists already", "pick another name, or delete it first", ""};
                return out;
            }
            if (auto e = run_job(c, "snapshot-save", {{"job-id", "vmrun-snapshot"}, {"tag", r.tag}, {"vmstate", nodes.front()}, {"devices", nodes}}); !e.empty()) {
                out.failure = Failure{"QEMU could not save snapshot '" + r.tag + "': " + e, "", ""};
                return out;
            }
            out.done = "snapshot '" + r.tag + "' of the running VM (disks, RAM and devices)";
            return out;
        case SnapshotAction::revert:
            if (!by_tag.count(r.tag)) {
                out.failure = Failure{"no snapshot '" + r.tag + "'", "see vmrun snapshot " + r.vm.name + " list", ""};
                return out;
            }
            if (auto e = run_job(c, "snapshot-load", {{"job-id", "vmrun-snapshot"}, {"tag", r.tag}, {"vmstate", nodes.front()}, {"devices", nodes}}); !e.empty()) {
                out.failure = Failure{"QEMU could not load snapshot '" + r.tag + "': " + e,
                                      by_tag[r.tag].vm_state == 0 ? "it holds disks only (taken while the VM was off): stop the VM and revert it then" : "",
                                      ""};
                return out;
            }
            out.done = "the running VM is back at snapshot '" + r.tag + "'";
            return out;
        case SnapshotAction::remove:
            if (!by_tag.count(r.tag)) {
                out.failure = Failure{"no snapshot '" + r.tag + "'", "see vmrun snapshot " + r.vm.name + " list", ""};
                return out;
            }
            if (auto e = run_job(c, "snapshot-delete", {{"job-id", "vmrun-snapshot"}, {"tag", r.tag}, {"devices", nodes}}); !e.empty()) {
                out.failure = Failure{"QEMU could not delete snapshot '" + r.tag + "': " + e, "", ""};
                return out;
            }
            out.done = "deleted snapshot '" + r.tag + "'";
            return out;
    }
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
