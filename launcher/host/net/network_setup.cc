#include "host/net/network_setup.h"

#include <unistd.h>

#include <set>

#include "host/journal_args.h"
#include "host/net/rtnetlink.h"
#include "host/net/tap_device.h"

namespace vmrun {

namespace {

std::string bridge_fix(const std::string& bridge) {
    return "create it: ip link add " + bridge + " type bridge && ip link set " + bridge +
           " up (and add the uplink: ip link set eth0 master " + bridge + "), or set 'create_bridge: true' on the NIC";
}

}  // namespace

std::vector<TapRequest> tap_requests(const LaunchPlan& plan) {
    std::vector<TapRequest> out;
    for (const auto& n : plan.nics)
        if (n.nic.type == NicType::tap) out.push_back({n.nic.id, n.tap, n.nic.bridge, n.nic.create_bridge});
    return out;
}

std::vector<Failure> check_taps(const std::vector<TapRequest>& requests) {
    std::vector<Failure> out;
    if (requests.empty()) return out;
    std::string error;
    auto nl = Rtnetlink::open(error);
    if (!nl) return {{error, "run vmrun where netlink is available (a normal Linux host)"}};
    std::set<std::string> bridges_to_create;
    for (const auto& r : requests) {
        int err = 0;
        auto bridge = nl->link(r.bridge, err);
        if (!bridge) {
            if (r.create_bridge) bridges_to_create.insert(r.bridge);
            else if (!bridges_to_create.count(r.bridge))
                out.push_back({"bridge " + r.bridge + " (for NIC '" + r.nic_id + "') does not exist", bridge_fix(r.bridge)});
        } else if (bridge->kind != "bridge") {
            out.push_back({r.bridge + " (for NIC '" + r.nic_id + "') is not a bridge (it is a " +
                               (bridge->kind.empty() ? "plain interface" : bridge->kind) + ")",
                           "name a bridge in 'bridge', or let vmrun create one under another name with 'create_bridge: true'"});
        }
        if (nl->link(r.tap, err))
            out.push_back({"the interface " + r.tap + " (tap of NIC '" + r.nic_id + "') already exists: another VM or program uses it",
                           "stop whatever uses it, or give the NIC another 'tap' name"});
    }
    return out;
}

NetworkSetup set_up_taps(const std::vector<TapRequest>& requests, Journal& journal) {
    NetworkSetup out;
    if (requests.empty()) return out;
    std::string netlink_error;
    auto nl = Rtnetlink::open(netlink_error);
    if (!nl) {
        out.failure = Failure{netlink_error, "run vmrun where netlink is available (a normal Linux host)", ""};
        return out;
    }
    auto fail = [&](const std::string& what, int err, const std::string& where) {
        out.failure = Failure{what + ": " + describe_netlink_error(err), "", where};
        return out;
    };
    auto journal_failed = [&](const std::error_code& ec) {
        out.failure = journal_failure(journal, ec);
        return out;
    };
    for (const auto& r : requests) {
        int err = 0;
        auto bridge = nl->link(r.bridge, err);
        if (!bridge && r.create_bridge) {
            if (auto ec = journal.record({"bridge", {{"key", "bridge:" + r.bridge}, {"name", r.bridge}}})) return journal_failed(ec);
            if (int e = nl->create_bridge(r.bridge)) return fail("cannot create bridge " + r.bridge, e, r.bridge);
            bridge = nl->link(r.bridge, err);
            if (!bridge) return fail("bridge " + r.bridge + " vanished", err, r.bridge);
            if (auto ec = journal.record(left_entry("bridge:" + r.bridge, {{"ifindex", bridge->index}}))) return journal_failed(ec);
            if (int e = nl->set_up(bridge->index, true)) return fail("cannot bring bridge " + r.bridge + " up", e, r.bridge);
        }
        if (!bridge) {
            out.failure = Failure{"bridge " + r.bridge + " (for NIC '" + r.nic_id + "') does not exist", bridge_fix(r.bridge), r.bridge};
            return out;
        }
        if (auto ec = journal.record({"tap", {{"key", "tap:" + r.tap}, {"name", r.tap}, {"bridge", r.bridge}}})) return journal_failed(ec);
        auto tap = open_tap(r.tap);
        if (tap.fd < 0) {
            out.failure = tap.failure;
            return out;
        }
        out.taps.push_back({r.nic_id, r.tap, tap.fd});
        auto link = nl->link(r.tap, err);
        if (!link) return fail("tap " + r.tap + " vanished", err, r.tap);
        if (auto ec = journal.record(left_entry("tap:" + r.tap, {{"ifindex", link->index}}))) return journal_failed(ec);
        // The bridge's MTU: a smaller port would lower the bridge's, a larger one would drop frames.
        if (link->mtu != bridge->mtu)
            if (int e = nl->set_mtu(link->index, bridge->mtu)) return fail("cannot set the MTU of " + r.tap, e, r.tap);
        if (int e = nl->set_master(link->index, bridge->index)) return fail("cannot add " + r.tap + " to " + r.bridge, e, r.tap);
        if (int e = nl->set_up(link->index, true)) return fail("cannot bring " + r.tap + " up", e, r.tap);
    }
    return out;
}

void close_taps(NetworkSetup& setup) {
    for (auto& t : setup.taps)
        if (t.fd >= 0) {
            ::close(t.fd);
            t.fd = -1;
        }
}

namespace {

// Deletes link `name` if it is still what vmrun made: of `kind`, and the very
// interface (its ifindex, when the journal has it) — not a new one that took
// the name after vmrun's went. Gone already is fine.
UndoOutcome remove_own_link(const nlohmann::json& args, const std::string& kind, const std::string& done) {
    auto name = args.value("name", std::string());
    std::string err_text;
    auto nl = Rtnetlink::open(err_text);
    if (!nl) return UndoOutcome::failed({"cannot remove " + name + ": " + err_text, "run 'vmrun restore' again as root", name});
    int err = 0;
    auto link = nl->link(name, err);
    if (!link) return UndoOutcome::nothing();
    if (link->kind != kind)
        return UndoOutcome::left_alone(name + " is no longer what vmrun made (a " + kind + "; now a " +
                                       (link->kind.empty() ? "plain link" : link->kind) + "): not touched");
    if (args.contains("left") && args["left"].is_object())
        if (auto index = JournalArgs(args["left"]).integer("ifindex"); index && *index != link->index)
            return UndoOutcome::left_alone(name + " is a new interface (index " + std::to_string(link->index) + "; vmrun's was " +
                                           std::to_string(*index) + "): not touched");
    if (int e = nl->delete_link(link->index)) return UndoOutcome::failed({"cannot remove " + name + ": " + describe_netlink_error(e), "remove it by hand: ip link delete " + name, name});
    return UndoOutcome::done(done);
}

}  // namespace

// A tap normally went with the last fd (QEMU's); this removes one an orphaned QEMU held.
UndoOutcome remove_tap(const nlohmann::json& args) {
    return remove_own_link(args, "tun", "removed tap " + args.value("name", std::string()));
}

UndoOutcome remove_bridge(const nlohmann::json& args) {
    return remove_own_link(args, "bridge", "removed bridge " + args.value("name", std::string()) + " (vmrun created it)");
}

}  // namespace vmrun
