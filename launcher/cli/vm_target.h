#pragma once
// Finding a running VM from the command line: by name (its runtime folder)
// or by an explicit --qmp PATH.

#include <optional>
#include <string>
#include <vector>

#include "run/instance_lock.h"
#include "run/vm_folders.h"

namespace vmrun::cli {

struct VmTarget {
    VmPaths folder;
    std::string qmp_socket;  // --qmp PATH, else the folder's
};

// Takes NAME or --qmp PATH out of `args` (what is left are the command's own
// arguments). Prints the problem and returns nullopt when neither is there.
std::optional<VmTarget> take_target(std::vector<std::string>& args, const char* usage);

}  // namespace vmrun::cli
