#pragma once
// 'hotplug --persist' / 'unplug --persist': the running VM's profile file,
// edited only while it still says what it said when the VM started, checked
// as a whole profile before anything changes, and replaced atomically after
// the device change succeeded.

#include <optional>
#include <string>

#include "base/owned_fd.h"
#include "plan/vm_paths.h"
#include "profile/profile_edit.h"
#include "profile/profile_file.h"
#include "run/profile_snapshot.h"
#include "vm/change_log.h"

namespace vmrun {

class PersistedProfile {
public:
    // The VM's profile as it is on disk; nullopt (having said why, and that
    // nothing was changed) when the VM keeps no snapshot or the file differs.
    static std::optional<PersistedProfile> open(const VmPaths& folder);

    const LoadedProfile& loaded() const { return current_.loaded; }
    const std::string& path() const { return snapshot_.path; }
    const std::string& text() const { return snapshot_.text; }

    // Takes an edit if it gives a valid profile; else prints why and returns false.
    bool accept(const ProfileEdit& edit);
    // Replaces the file with the accepted text (same owner and mode, renamed
    // over it, within the folder opened at open()) if it is still unchanged. Reports the outcome; false on failure.
    bool commit(const VmPaths& folder, ChangeLog& report);

private:
    ProfileSnapshot snapshot_;
    OwnedFd folder_;    // the profile's folder, opened once (see open_profile_folder)
    std::string name_;  // the file's name in it
    ProfileFile current_;
    std::string accepted_;
};

}  // namespace vmrun
