#pragma once
// Reading a profile from disk: the I/O wrapper around load_profile and
// complete_and_check_profile.

#include <string>

#include "profile/profile_loader.h"

namespace vmrun {

struct ProfileFile {
    LoadedProfile loaded;
    std::string text;     // kept to print the offending line under a diagnostic
    std::string display;  // the path as the user wrote it, for messages
    bool readable = true;
    std::string read_error;
};

ProfileFile read_profile_file(const std::string& path);
// The same for a text already read (or edited): `path` names it in messages
// and is where relative paths in it start.
ProfileFile profile_from_text(const std::string& text, const std::string& path);

// Every diagnostic, rendered with source line and caret, sorted by position.
std::string render_all(const ProfileFile& f);

}  // namespace vmrun
