#pragma once
// A running VM as an operation reaches it: its folders (for the journal and
// the profile it started from) and the QMP socket to talk to.

#include <string>

#include "plan/vm_paths.h"

namespace vmrun {

struct VmTarget {
    VmPaths folder;          // empty when only a socket was given (--qmp)
    std::string qmp_socket;  // the folder's, or the one given

    // Host changes go into the VM's journal, and --persist edits its profile:
    // both need the VM itself, not just a socket.
    bool by_name() const { return !folder.name.empty() && qmp_socket == folder.qmp_socket(); }
};

}  // namespace vmrun
