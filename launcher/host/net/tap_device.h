#pragma once
// Creating a tap through /dev/net/tun. The tap is not persistent: it lives as
// long as an fd to it is open, so once vmrun has handed its fd to QEMU and
// closed its own, the tap (and its bridge port) goes away with QEMU — however
// QEMU ends, SIGKILL included.

#include <optional>
#include <string>

#include "base/failure.h"

namespace vmrun {

struct OpenedTap {
    int fd = -1;         // O_CLOEXEC; the caller passes it to QEMU deliberately
    std::optional<Failure> failure;  // when fd < 0 (where: the tap's name)
};

// IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, as QEMU opens its own taps.
OpenedTap open_tap(const std::string& name);

}  // namespace vmrun
