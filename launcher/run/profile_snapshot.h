#pragma once
// The profile a running VM was started from: its file and the text vmrun read
// then, kept in the runtime folder (gone with the VM). 'hotplug --persist'
// compares the file with it, so an edit never writes over changes the user
// made to the file since.

#include <optional>
#include <string>

#include "plan/vm_paths.h"

namespace vmrun {

struct ProfileSnapshot {
    std::string path;  // absolute, symlinks resolved: the file that gets replaced
    std::string text;
    // The folder holding the file when the VM started (0/0: not recorded, an
    // older vmrun): an edit lands only in that very folder, even if its path
    // has since been renamed to point elsewhere.
    unsigned long long folder_device = 0, folder_inode = 0;
};

// "" or why it could not be written.
std::string write_profile_snapshot(const VmPaths& folder, const ProfileSnapshot& snapshot);
// nullopt when the VM has none (started by an older vmrun, or not running).
std::optional<ProfileSnapshot> read_profile_snapshot(const VmPaths& folder);

}  // namespace vmrun
