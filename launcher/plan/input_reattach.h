#pragma once
// Which of the VM's input-linux objects wait for their device to come back,
// and which one a newly made event node brings back. A keyboard unplugged
// (a KVM switch, a wireless receiver's reset) leaves QEMU's object behind on
// a dead node; the same device plugged in again gets a new node, often another
// number, so it is recognised by what the kernel says it is, not by its path.
// It comes back as a new object under a new id (vmrun-input0 -> vmrun-input0-r1):
// QEMU 7.2 closes a dead device's descriptor at once and again when the object
// is deleted, by then the number of another of its files (often the monitor
// connection that asked), so the dead object is never deleted while QEMU runs.
// Pure: the supervisor feeds it what it read from sysfs and QMP.

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmrun {

// What the kernel says an input device is (/sys/class/input/eventN/device/).
struct InputIdentity {
    std::string name, phys, uniq;
    unsigned bustype = 0, vendor = 0, product = 0, version = 0;
    bool operator==(const InputIdentity&) const = default;
    std::string describe() const;  // "'Logitech USB Receiver' (046d:c52b)"
};

// One input-linux object as QEMU reports it (qom-get of its properties).
struct InputObject {
    std::string id, evdev;
    bool grab_all = false, repeat = false;
    std::string grab_toggle;  // "" = QEMU's default
};

// object-add's arguments for `object` reading `evdev`.
nlohmann::json input_object_add_arguments(const InputObject& object, const std::string& evdev);

// The id an input comes back under after its `n`th replug: "vmrun-input0-r2"
// for ("vmrun-input0" or "vmrun-input0-r1", 2).
std::string replugged_input_id(const std::string& id, unsigned n);

// "event3", "event12": an evdev node's own name.
bool is_event_node_name(const std::string& name);
// "event3" for "/dev/input/event3"; "" for a path that is no event node's own (a by-id link).
std::string event_node_of_path(const std::string& path);

struct WaitingInput {
    InputObject object;       // as it was before its device went
    InputIdentity identity;   // of the device that went
    std::string gone_node;    // "event3"
};

class InputReattachBook {
public:
    // What the node is, while it is there (read when it comes, and at start).
    void node_seen(const std::string& node, InputIdentity identity);
    const InputIdentity* identity_of(const std::string& node) const;
    // A path that is not a node's own (a by-id link) and the node it led to.
    void path_resolved(const std::string& path, const std::string& node);

    // `node` went away. `objects`: the VM's input-linux objects now. Those
    // reading the node (by its path or a link that led to it) wait from now
    // on, and are returned; none when the node's identity was never seen.
    std::vector<WaitingInput> node_removed(const std::string& node, const std::vector<InputObject>& objects);

    // `node` came, being `identity`: the first input waiting for such a
    // device, taken off the list; nothing when none waits for it.
    std::optional<WaitingInput> node_added(const std::string& node, const InputIdentity& identity);
    // A re-attach that failed: the input waits again for the next replug.
    void wait_again(WaitingInput input);
    // The id `input` comes back under (a new one each time).
    std::string next_id(const WaitingInput& input);
    // `input` is back under a new id; its old object is dead for good.
    void came_back(const WaitingInput& input);

    const std::vector<WaitingInput>& waiting() const { return waiting_; }
    // Objects left on a dead node: never object-del'ed (see above).
    const std::vector<std::string>& dead() const { return dead_; }

private:
    std::string node_of(const std::string& evdev) const;
    std::map<std::string, InputIdentity> identities_;
    std::map<std::string, std::string> resolved_;
    std::vector<WaitingInput> waiting_;
    std::vector<std::string> dead_;
    std::map<std::string, unsigned> replugs_;  // by the id's base
};

}  // namespace vmrun
