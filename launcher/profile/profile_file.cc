#include "profile/profile_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "profile/profile_checks.h"

namespace vmrun {

ProfileFile read_profile_file(const std::string& path) {
    ProfileFile f;
    f.display = path;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        f.readable = false;
        f.read_error = std::string(std::strerror(errno));
        return f;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return profile_from_text(buf.str(), path);
}

ProfileFile profile_from_text(const std::string& text, const std::string& path) {
    ProfileFile f;
    f.display = path;
    f.text = text;
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    std::string base = ec ? std::string() : abs.parent_path().lexically_normal().string();
    f.loaded = load_profile(f.text, path, base);
    if (!f.loaded.diagnostics.has_errors() || !f.loaded.profile.name.empty())
        complete_and_check_profile(f.loaded.profile, f.loaded.diagnostics);
    return f;
}

std::string render_all(const ProfileFile& f) {
    return render_diagnostics(f.loaded.diagnostics, f.display, f.text);
}

}  // namespace vmrun
