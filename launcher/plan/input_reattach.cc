#include "plan/input_reattach.h"

#include <algorithm>
#include <cstdio>

namespace vmrun {

std::string InputIdentity::describe() const {
    char ids[16];
    std::snprintf(ids, sizeof ids, "%04x:%04x", vendor & 0xffff, product & 0xffff);
    return "'" + name + "' (" + ids + ")";
}

nlohmann::json input_object_add_arguments(const InputObject& object, const std::string& evdev) {
    nlohmann::json args = {{"qom-type", "input-linux"}, {"id", object.id}, {"evdev", evdev}};
    if (object.grab_all) args["grab_all"] = true;
    if (object.repeat) args["repeat"] = true;
    if (!object.grab_toggle.empty()) args["grab-toggle"] = object.grab_toggle;
    return args;
}

namespace {
// "vmrun-input0" for "vmrun-input0-r3".
std::string base_of(const std::string& id) {
    auto at = id.rfind("-r");
    if (at == std::string::npos || at + 2 >= id.size() || id.find_first_not_of("0123456789", at + 2) != std::string::npos) return id;
    return id.substr(0, at);
}
}  // namespace

std::string replugged_input_id(const std::string& id, unsigned n) { return base_of(id) + "-r" + std::to_string(n); }

bool is_event_node_name(const std::string& name) {
    return name.size() > 5 && name.size() <= 12 && name.rfind("event", 0) == 0 && name.find_first_not_of("0123456789", 5) == std::string::npos;
}

std::string event_node_of_path(const std::string& path) {
    const std::string dir = "/dev/input/";
    if (path.rfind(dir, 0) != 0) return "";
    auto name = path.substr(dir.size());
    return is_event_node_name(name) ? name : "";
}

void InputReattachBook::node_seen(const std::string& node, InputIdentity identity) { identities_[node] = std::move(identity); }

const InputIdentity* InputReattachBook::identity_of(const std::string& node) const {
    auto it = identities_.find(node);
    return it == identities_.end() ? nullptr : &it->second;
}

void InputReattachBook::path_resolved(const std::string& path, const std::string& node) {
    if (event_node_of_path(path).empty()) resolved_[path] = node;
}

std::string InputReattachBook::node_of(const std::string& evdev) const {
    if (auto node = event_node_of_path(evdev); !node.empty()) return node;
    auto it = resolved_.find(evdev);
    return it == resolved_.end() ? "" : it->second;
}

std::vector<WaitingInput> InputReattachBook::node_removed(const std::string& node, const std::vector<InputObject>& objects) {
    std::vector<WaitingInput> now_waiting;
    auto known = identities_.find(node);
    if (known == identities_.end()) return now_waiting;
    for (const auto& object : objects) {
        if (node_of(object.evdev) != node) continue;
        if (std::find(dead_.begin(), dead_.end(), object.id) != dead_.end()) continue;  // went before
        bool already = std::any_of(waiting_.begin(), waiting_.end(), [&](const WaitingInput& w) { return w.object.id == object.id; });
        if (already) continue;
        now_waiting.push_back({object, known->second, node});
        waiting_.push_back(now_waiting.back());
    }
    identities_.erase(known);
    // A link is made again for the next device; what it led to is stale.
    std::erase_if(resolved_, [&](const auto& entry) { return entry.second == node; });
    return now_waiting;
}

std::optional<WaitingInput> InputReattachBook::node_added(const std::string& node, const InputIdentity& identity) {
    node_seen(node, identity);
    auto it = std::find_if(waiting_.begin(), waiting_.end(), [&](const WaitingInput& w) { return w.identity == identity; });
    if (it == waiting_.end()) return std::nullopt;
    auto back = std::move(*it);
    waiting_.erase(it);
    return back;
}

void InputReattachBook::wait_again(WaitingInput input) { waiting_.push_back(std::move(input)); }

std::string InputReattachBook::next_id(const WaitingInput& input) {
    return replugged_input_id(input.object.id, ++replugs_[base_of(input.object.id)]);
}

void InputReattachBook::came_back(const WaitingInput& input) { dead_.push_back(input.object.id); }

}  // namespace vmrun
