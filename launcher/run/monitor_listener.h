#pragma once
// The supervisor's monitor socket, made by vmrun before QEMU starts: bound,
// listening, and handed to QEMU as an inherited fd. A connect succeeds at
// once and the greeting comes when QEMU's monitor runs; a QEMU that dies
// first resets the connection. So the start waits on an event, not a file.

#include <string>

#include "base/owned_fd.h"

namespace vmrun {

// Close-on-exec (the child is given it explicitly); an empty fd and `error` on failure.
OwnedFd listen_unix(const std::string& path, std::string& error);

}  // namespace vmrun
