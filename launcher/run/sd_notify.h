#pragma once
#include <string>

namespace vmrun {

// Tells systemd (Type=notify) about the service's state, e.g. "READY=1".
// A no-op when not started by systemd ($NOTIFY_SOCKET unset).
void sd_notify_state(const std::string& state);

}  // namespace vmrun
