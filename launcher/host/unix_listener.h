#pragma once
// A unix socket vmrun makes for a child to inherit or connect to: bound,
// 0600, listening, before the child starts. A connect then succeeds at once
// and the child's greeting comes when it runs; a child that dies first resets
// the connection. So a start waits on an event, not on a file to appear.
// (QEMU's monitor socket and swtpm's control channel.)

#include <optional>
#include <string>

#include "base/failure.h"
#include "base/owned_fd.h"

namespace vmrun {

struct Listening {
    OwnedFd fd;                      // close-on-exec: the child is given it explicitly
    std::optional<Failure> failure;  // when there is no fd (where: the path)
};

// Replaces a socket an earlier run left at `path`.
Listening listen_unix(const std::string& path);

}  // namespace vmrun
