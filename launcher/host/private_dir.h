#pragma once
// vmrun's folders hold sockets, pid files and the journal of a root process.
// Another user who could create or swap one of them (a /tmp/vmrun-UID made
// first, a symlink planted at /run/vmrun/NAME) could steer that process. So a
// folder is only used when it is a real directory (not a symlink), owned by
// the user vmrun runs as, and writable by nobody else.

#include <optional>
#include <string>

#include "base/failure.h"

namespace vmrun {

// Creates `path` (0700; its missing parents as usual), then checks it as
// above. Nothing when usable, else what is wrong and how to fix it (where: the folder).
std::optional<Failure> make_private_dir(const std::string& path);

// The same checks without creating anything; a folder that does not exist is
// fine (nothing in it to trust).
std::optional<Failure> check_private_dir(const std::string& path);

}  // namespace vmrun
