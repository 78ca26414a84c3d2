#pragma once
// The kinds of host use that make vmrun refuse a passthrough device, and
// --force-bind's choice among them (host/pci/host_usage finds the uses).

#include <optional>
#include <set>
#include <string>

namespace vmrun {

// The kinds of use --force-bind can override one at a time: overriding a
// program on the GPU must not also take the disk holding /.
enum class HostUseKind { console, disk, default_route, gpu_holders };

// Which kinds of host use --force-bind takes devices despite.
struct ForceBind {
    std::set<HostUseKind> kinds;
    static ForceBind all() { return {{HostUseKind::console, HostUseKind::disk, HostUseKind::default_route, HostUseKind::gpu_holders}}; }
    bool covers(HostUseKind k) const { return kinds.count(k) > 0; }
    bool any() const { return !kinds.empty(); }
    bool everything() const { return kinds.size() == all().kinds.size(); }
};

// "console", "disk", "default-route", "gpu-holders".
const char* host_use_kind_name(HostUseKind kind);
// Every kind's name, `separator` between them ("console|disk|default-route|gpu-holders").
std::string host_use_kind_names(const std::string& separator);
// "or, if you are sure, pass --force-bind=KIND": how every refusal of a kind of use ends.
std::string force_bind_hint(HostUseKind kind);
// The value of --force-bind: "" (given alone) is every kind; else a
// comma-separated list of kind names. nullopt with `error` set for a bad name.
std::optional<ForceBind> parse_force_bind(const std::string& value, std::string& error);

}  // namespace vmrun
