#pragma once
// The host's evdev event nodes as they come and go: what each one is (read
// from sysfs) and an inotify watch on /dev/input for nodes made and removed.
// Through a sysroot; changes nothing.

#include <optional>
#include <string>
#include <vector>

#include "base/owned_fd.h"
#include "plan/input_reattach.h"

namespace vmrun {

// `node` ("event3") as the kernel describes it; nothing when it is gone.
std::optional<InputIdentity> read_input_identity(const std::string& sysroot, const std::string& node);

// The event nodes under <sysroot>/dev/input now.
std::vector<std::string> list_event_nodes(const std::string& sysroot);

struct InputNodeChange {
    enum class Kind { added, removed } kind;
    std::string node;
};

// A non-blocking inotify descriptor on <sysroot>/dev/input; an empty one with
// `error` set when there is no such folder or no watch could be made.
OwnedFd watch_input_nodes(const std::string& sysroot, std::string& error);
// Everything queued on the watch now (event nodes only), in order.
std::vector<InputNodeChange> read_input_node_changes(int watch_fd);

}  // namespace vmrun
