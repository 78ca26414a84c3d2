#include "host/net/vf_settings.h"

#include <filesystem>

#include "host/journal_args.h"
#include "host/net/rtnetlink.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

// The PF's interface as the kernel names it now: a rename since the plan, or
// since a crash, must not send the settings to another link.
std::string pf_interface(const std::string& sysroot, const PciAddress& pf) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(sysroot) / "sys/bus/pci/devices" / pf.str() / "net", ec))
        return e.path().filename().string();
    return "";
}

struct PfLink {
    std::optional<Rtnetlink> rtnl;
    LinkInfo link;
    std::string error;
};

PfLink open_pf_link(const std::string& sysroot, const PciAddress& pf) {
    auto name = pf_interface(sysroot, pf);
    if (name.empty()) return PfLink{std::nullopt, {}, pf.str() + " has no network interface (no net/ in sysfs)"};
    std::string error;
    auto rtnl = Rtnetlink::open(error);
    if (!rtnl) return PfLink{std::nullopt, {}, error};
    int err = 0;
    auto link = rtnl->link(name, err);
    if (!link) return PfLink{std::nullopt, {}, "cannot read " + name + " (" + pf.str() + "): " + describe_netlink_error(err)};
    return PfLink{std::move(rtnl), *link, ""};
}

const VfLinkState* find_vf(const LinkInfo& link, unsigned index) {
    for (const auto& v : link.vfs)
        if (v.index == index) return &v;
    return nullptr;
}

nlohmann::json state_json(const VfLinkState& v) {
    nlohmann::json j = {{"mac", v.mac}, {"vlan", v.vlan}, {"qos", v.qos}};
    if (v.spoof_check) j["spoof_check"] = *v.spoof_check;
    if (v.trust) j["trust"] = *v.trust;
    return j;
}

nlohmann::json asked_json(const VfNetSettings& s) {
    auto j = nlohmann::json::object();
    if (s.mac) j["mac"] = *s.mac;
    if (s.vlan) j["vlan"] = *s.vlan;
    if (s.spoof_check) j["spoof_check"] = *s.spoof_check;
    if (s.trust) j["trust"] = *s.trust;
    return j;
}

Failure setting_failure(const char* what, const std::string& iface, const PciAddress& pf, unsigned vf, int err) {
    return {"the driver of " + iface + " refused " + what + " for VF " + std::to_string(vf) + ": " + describe_netlink_error(err),
            err == EOPNOTSUPP ? "this NIC's PF driver does not offer it; leave the key out" : "", pf.str()};
}

std::string setting_error(const char* what, const std::string& iface, unsigned vf, int err) {
    std::string text = "the driver of " + iface + " refused " + what + " for VF " + std::to_string(vf) + ": " + describe_netlink_error(err);
    if (err == EOPNOTSUPP) text += " (this NIC's PF driver does not offer it; leave the key out)";
    return text;
}

}  // namespace

std::string describe_vf_net(const VfNetSettings& s) {
    std::string out;
    auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
    if (s.mac) add("mac " + *s.mac);
    if (s.vlan) add(*s.vlan ? "vlan " + std::to_string(*s.vlan) : "untagged");
    if (s.spoof_check) add(std::string("spoof checking ") + (*s.spoof_check ? "on" : "off"));
    if (s.trust) add(*s.trust ? "trusted" : "not trusted");
    return out;
}

std::optional<Failure> apply_vf_net_settings(const std::string& sysroot, const std::vector<VfNetPlan>& items, Journal& journal) {
    for (const auto& item : items) {
        auto pf = open_pf_link(sysroot, item.pf);
        if (!pf.error.empty()) return Failure{pf.error, "", item.pf.str()};
        const auto& iface = pf.link.name;
        const auto* now = find_vf(pf.link, item.index);
        if (!now)
            return Failure{iface + " (" + item.pf.str() + ") reports no VF " + std::to_string(item.index) +
                               " over rtnetlink; its driver may not manage VF settings",
                           "", item.pf.str()};
        nlohmann::json entry = {{"key", "vf-net:" + item.pf.str() + ":" + std::to_string(item.index)},
                                {"sysroot", sysroot}, {"pf", item.pf.str()}, {"vf", item.index},
                                {"before", state_json(*now)}, {"asked", asked_json(item.settings)}};
        if (auto err = journal.record({"vf-net", entry})) return journal_failure(journal, err);
        const auto& s = item.settings;
        int index = pf.link.index;
        if (s.mac)
            if (int err = pf.rtnl->set_vf_mac(index, item.index, *s.mac)) return setting_failure("a MAC", iface, item.pf, item.index, err);
        if (s.vlan)
            if (int err = pf.rtnl->set_vf_vlan(index, item.index, *s.vlan, 0)) return setting_failure("a VLAN", iface, item.pf, item.index, err);
        if (s.spoof_check)
            if (int err = pf.rtnl->set_vf_spoof_check(index, item.index, *s.spoof_check))
                return setting_failure("spoof checking", iface, item.pf, item.index, err);
        if (s.trust)
            if (int err = pf.rtnl->set_vf_trust(index, item.index, *s.trust)) return setting_failure("trust", iface, item.pf, item.index, err);
    }
    return std::nullopt;
}

std::string check_vf_net_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    auto pf = args.text("pf");
    if (!pf || !parse_pci_address(*pf)) return "no valid PCI address";
    if (!args.has_sysroot()) return "no absolute sysfs root";
    auto vf = args.count("vf");
    if (!vf || *vf > 65535) return "no valid VF index";
    if (!json.contains("before") || !json["before"].is_object() || !json.contains("asked") || !json["asked"].is_object())
        return "no settings";
    JournalArgs before(json["before"]);
    auto mac = before.text("mac");
    if (!mac || mac->size() != 17) return "no valid earlier MAC";
    auto vlan = before.count("vlan"), qos = before.count("qos");
    if (!vlan || *vlan > 4095 || !qos || *qos > 7) return "no valid earlier VLAN";
    return "";
}

namespace {

bool same_setting(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.is_string() && b.is_string()) {
        auto x = a.get<std::string>(), y = b.get<std::string>();
        return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](char p, char q) { return std::tolower(p) == std::tolower(q); });
    }
    return a == b;
}

}  // namespace

UndoOutcome restore_vf_net(const nlohmann::json& json) {
    JournalArgs args(json);
    auto sysroot = *args.text("sysroot");
    auto pf_address = *parse_pci_address(*args.text("pf"));
    auto vf = unsigned(*args.count("vf"));
    auto pf = open_pf_link(sysroot, pf_address);
    if (!pf.error.empty()) {
        if (pf_interface(sysroot, pf_address).empty()) return UndoOutcome::nothing();  // the PF's driver let go: its VF settings went with it
        return UndoOutcome::failed({pf.error, "run 'vmrun restore' again once " + pf_address.str() + " has its network driver", pf_address.str()});
    }
    const auto* vf_now = find_vf(pf.link, vf);
    if (!vf_now) return UndoOutcome::nothing();  // the VF was removed since: nothing left to put back
    const auto& before = json["before"];
    const auto& asked = json["asked"];
    auto current = state_json(*vf_now);
    // Each setting goes back only while it is still what vmrun set; one the
    // user changed since is theirs.
    auto ours = [&](const char* key) {
        return asked.contains(key) && before.contains(key) && current.contains(key) && same_setting(current[key], asked[key]) &&
               !same_setting(current[key], before[key]);
    };
    std::vector<std::string> changed_since;
    for (const char* key : {"mac", "vlan", "spoof_check", "trust"})
        if (asked.contains(key) && current.contains(key) && !same_setting(current[key], asked[key]) &&
            !(before.contains(key) && same_setting(current[key], before[key])))
            changed_since.push_back(std::string(key) + " " + current[key].dump());
    JournalArgs was(before);
    int index = pf.link.index;
    std::vector<std::string> put_back;
    std::string error;
    auto fail = [&](const char* what, int err) {
        if (!error.empty()) error += "; ";
        error += setting_error(what, pf.link.name, vf, err);
    };
    if (ours("mac")) {
        if (int err = pf.rtnl->set_vf_mac(index, vf, *was.text("mac"))) fail("a MAC", err);
        else put_back.push_back("mac " + *was.text("mac"));
    }
    if (ours("vlan")) {
        if (int err = pf.rtnl->set_vf_vlan(index, vf, unsigned(*was.count("vlan")), unsigned(*was.count("qos")))) fail("a VLAN", err);
        else put_back.push_back("vlan " + std::to_string(*was.count("vlan")));
    }
    if (ours("spoof_check") && before["spoof_check"].is_boolean()) {
        if (int err = pf.rtnl->set_vf_spoof_check(index, vf, before["spoof_check"].get<bool>())) fail("spoof checking", err);
        else put_back.push_back(std::string("spoof checking ") + (before["spoof_check"].get<bool>() ? "on" : "off"));
    }
    if (ours("trust") && before["trust"].is_boolean()) {
        if (int err = pf.rtnl->set_vf_trust(index, vf, before["trust"].get<bool>())) fail("trust", err);
        else put_back.push_back(before["trust"].get<bool>() ? "trusted" : "not trusted");
    }
    if (!error.empty())
        return UndoOutcome::failed({error, "set them back by hand with 'ip link set " + pf.link.name + " vf " + std::to_string(vf) + " ...'",
                                    pf_address.str()});
    std::string who = pf.link.name + " VF " + std::to_string(vf);
    if (put_back.empty() && !changed_since.empty()) {
        std::string list;
        for (const auto& c : changed_since) list += (list.empty() ? "" : ", ") + c;
        return UndoOutcome::left_alone(who + " has " + list + " now, not what vmrun set: not touched");
    }
    if (put_back.empty()) return UndoOutcome::nothing();
    std::string text = who + " back to";
    for (size_t i = 0; i < put_back.size(); ++i) text += (i ? ", " : " ") + put_back[i];
    return UndoOutcome::done(text);
}

}  // namespace vmrun
