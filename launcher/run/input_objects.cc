#include "run/input_objects.h"

#include <fstream>

namespace vmrun {

std::vector<std::string> input_object_ids(qmp::Client& c) {
    std::vector<std::string> ids;
    if (auto r = c.execute("qom-list", {{"path", "/objects"}}); r && r.value.is_array())
        for (const auto& e : r.value)
            if (e.is_object() && e.value("type", "") == "child<input-linux>" && e.contains("name") && e["name"].is_string())
                ids.push_back(e["name"]);
    return ids;
}

std::vector<InputObject> read_input_objects(qmp::Client& c) {
    std::vector<InputObject> out;
    for (const auto& id : input_object_ids(c)) {
        auto property = [&](const char* name) {
            auto r = c.execute("qom-get", {{"path", "/objects/" + id}, {"property", name}});
            return r ? r.value : nlohmann::json();
        };
        InputObject o;
        o.id = id;
        if (auto v = property("evdev"); v.is_string()) o.evdev = v;
        if (auto v = property("grab_all"); v.is_boolean()) o.grab_all = v;
        if (auto v = property("repeat"); v.is_boolean()) o.repeat = v;
        // QEMU's default (both Ctrl keys) is written back as "" so a re-add says nothing of it.
        if (auto v = property("grab-toggle"); v.is_string() && v != "ctrl-ctrl") o.grab_toggle = v;
        out.push_back(std::move(o));
    }
    return out;
}

InputReplugState read_input_replug_state(const std::string& file) {
    InputReplugState out;
    std::ifstream in(file);
    if (!in) return out;
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_object()) return out;
    if (j.contains("away") && j["away"].is_array())
        for (const auto& w : j["away"])
            if (w.is_object() && w.contains("id") && w["id"].is_string() && w.contains("device") && w["device"].is_string())
                out.away.push_back({{"id", w["id"]}, {"device", w["device"]}, {"evdev", w.value("evdev", std::string())}});
    if (j.contains("dead") && j["dead"].is_array())
        for (const auto& id : j["dead"])
            if (id.is_string()) out.dead.push_back(id);
    return out;
}

}  // namespace vmrun
