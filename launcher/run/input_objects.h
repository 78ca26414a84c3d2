#pragma once
// The VM's input-linux objects as QEMU holds them (/objects over QMP): the
// profile's and hotplugged ones alike.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "plan/input_reattach.h"
#include "qmp/client.h"

namespace vmrun {

std::vector<std::string> input_object_ids(qmp::Client& c);
// Each with the properties a re-add needs (evdev, grab_all, repeat, grab-toggle).
std::vector<InputObject> read_input_objects(qmp::Client& c);

// What the supervisor's replug watch says (VmPaths::input_replug_file): the
// inputs whose device is away ({id, device, evdev}), and the objects left on a
// dead node, which must not be deleted while QEMU runs (input_reattach.h).
struct InputReplugState {
    nlohmann::json away = nlohmann::json::array();
    std::vector<std::string> dead;
};
InputReplugState read_input_replug_state(const std::string& file);

}  // namespace vmrun
