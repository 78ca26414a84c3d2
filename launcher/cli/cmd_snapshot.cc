// vmrun snapshot VM create|list|revert|delete [SNAP] [--json]: a VM's
// snapshots, offline or live (vm/snapshot).

#include <ctime>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/vm_target.h"
#include "vm/snapshot.h"

namespace vmrun::cli {

int run_snapshot(const ParsedArgs& args) {
    auto what = args.positional("VM");
    auto action = args.positional("ACTION");
    auto tag = args.positional("SNAP");
    SnapshotRequest r;
    if (action == "create") r.action = SnapshotAction::create;
    else if (action == "list") r.action = SnapshotAction::list;
    else if (action == "revert") r.action = SnapshotAction::revert;
    else if (action == "delete") r.action = SnapshotAction::remove;
    else {
        std::cerr << "vmrun snapshot: ACTION is create, list, revert or delete, got '" << action << "'\n";
        return kExitUsage;
    }
    if ((r.action == SnapshotAction::list) != tag.empty()) {
        std::cerr << "vmrun snapshot: " << (tag.empty() ? action + " needs the snapshot's name: vmrun snapshot VM " + action + " SNAP"
                                                        : "list takes no snapshot name")
                  << "\n";
        return kExitUsage;
    }
    r.tag = tag;
    r.disk_only = args.flag("disk-only");
    if (r.disk_only && r.action != SnapshotAction::create) {
        std::cerr << "vmrun snapshot: --disk-only goes with create\n";
        return kExitUsage;
    }
    int refused = kExitUsage;
    auto target = vm_or_profile(args, what, ProfileUse::needed, refused);
    if (!target) return refused;
    r.vm = target->vm;
    r.profile_path = target->profile_path;
    auto out = run_snapshot(r);
    if (out.failure) {
        std::cerr << "vmrun snapshot: " << out.failure->text() << "\n";
        return kExitFailure;
    }
    if (r.action == SnapshotAction::list) {
        if (args.flag("json")) {
            auto list = nlohmann::json::array();
            for (const auto& s : out.snapshots)
                list.push_back({{"name", s.tag}, {"date", s.date}, {"vm_state_bytes", s.vm_state}, {"disks", s.disks}});
            std::cout << nlohmann::json{{"vm", r.vm.name}, {"running", out.live}, {"snapshots", list}}.dump(2) << "\n";
            return kExitOk;
        }
        if (out.snapshots.empty()) std::cout << r.vm.name << " has no snapshots\n";
        for (const auto& s : out.snapshots) {
            char when[32] = "?";
            std::time_t t = s.date;
            std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
            std::cout << s.tag << "  " << when << "  " << (s.vm_state ? "whole VM (" + std::to_string(s.vm_state >> 20) + " MiB of state)" : std::string("disks only"))
                      << "\n";
        }
        return kExitOk;
    }
    std::cout << "vmrun: " << r.vm.name << ": " << out.done << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
