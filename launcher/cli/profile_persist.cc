#include "cli/profile_persist.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "profile/diagnostics.h"

namespace fs = std::filesystem;

namespace vmrun::cli {

namespace {

std::optional<std::string> read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Into a new file beside `path`, with its owner and mode, then renamed over
// it: readers see the old file or the new one, never half of either.
std::string replace_file(const std::string& path, const std::string& text) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return path + ": " + std::strerror(errno);
    auto dir = fs::path(path).parent_path();
    std::string tmp = (dir / ("." + fs::path(path).filename().string() + ".vmrun-XXXXXX")).string();
    int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return "cannot create a file in " + dir.string() + ": " + std::strerror(errno);
    bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    ok = ok && ::fchmod(fd, st.st_mode & 07777) == 0;
    if (ok && ::fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM) ok = false;
    ok = ok && ::fsync(fd) == 0;
    int saved = errno;
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        if (ok) saved = errno;
        ::unlink(tmp.c_str());
        return "cannot write " + path + ": " + std::strerror(saved);
    }
    if (int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
        ::fsync(d);
        ::close(d);
    }
    return "";
}

}  // namespace

std::optional<PersistedProfile> PersistedProfile::open(const VmPaths& folder) {
    auto snapshot = read_profile_snapshot(folder);
    if (!snapshot) {
        std::cerr << "vmrun: --persist: " << folder.name
                  << " keeps no record of the profile it was started from (started by an older vmrun, or not "
                     "running); nothing was changed\n";
        return std::nullopt;
    }
    auto now = read_whole(snapshot->path);
    if (!now) {
        std::cerr << "vmrun: --persist: cannot read " << snapshot->path << ": " << std::strerror(errno)
                  << "; nothing was changed\n";
        return std::nullopt;
    }
    if (*now != snapshot->text) {
        std::cerr << "vmrun: --persist: " << snapshot->path << " has changed since " << folder.name
                  << " started; writing the device into it would write over those changes.\n"
                     "  Nothing was changed. Add the device without --persist and edit the file by hand, or\n"
                     "  restart the VM from the file as it is now.\n";
        return std::nullopt;
    }
    PersistedProfile p;
    p.snapshot_ = *snapshot;
    p.current_ = profile_from_text(*now, snapshot->path);
    if (p.current_.loaded.diagnostics.has_errors()) {
        // The VM started from this very text, so only a newer vmrun's rules get here.
        std::cerr << render_all(p.current_) << "vmrun: --persist: " << snapshot->path
                  << " is not valid as it stands; nothing was changed\n";
        return std::nullopt;
    }
    return p;
}

bool PersistedProfile::accept(const ProfileEdit& edit) {
    if (!edit.ok()) {
        std::cerr << "vmrun: --persist: cannot edit " << snapshot_.path << ": " << edit.error << "; nothing was changed\n";
        return false;
    }
    auto edited = profile_from_text(edit.text, snapshot_.path);
    if (edited.loaded.diagnostics.has_errors()) {
        std::cerr << render_all(edited) << "vmrun: --persist: with this change " << snapshot_.path
                  << " would not be a valid profile; nothing was changed\n";
        return false;
    }
    accepted_ = edit.text;
    return true;
}

bool PersistedProfile::commit(const VmPaths& folder, ChangeReport& report) {
    // Once more, just before the rename: the device change took a while.
    auto now = read_whole(snapshot_.path);
    std::string err;
    if (!now || *now != snapshot_.text)
        err = snapshot_.path + " changed while the device was being changed";
    else
        err = replace_file(snapshot_.path, accepted_);
    if (!err.empty()) {
        std::cerr << "vmrun: --persist: " << err << "; the running VM has the change, the profile does not\n";
        return false;
    }
    // The VM now runs what the file says: the next --persist starts from here.
    if (auto e = write_profile_snapshot(folder, {snapshot_.path, accepted_}); !e.empty())
        std::cerr << "vmrun: warning: " << e << "; a further --persist will see the file as changed\n";
    report.set("profile_updated", snapshot_.path, snapshot_.path + " updated");
    return true;
}

}  // namespace vmrun::cli
