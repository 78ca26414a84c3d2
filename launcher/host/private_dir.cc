#include "host/private_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace vmrun {

namespace {

// Opens without following a symlink in the last component; fstat then speaks
// of exactly the folder that was opened, not of whatever the path names later.
std::optional<Failure> check_one(const std::string& path, bool missing_is_fine) {
    const std::string elsewhere = "remove it, or set VMRUN_RUNTIME_DIR / VMRUN_STATE_DIR";
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && missing_is_fine) return std::nullopt;
        if (errno == ELOOP || errno == ENOTDIR) return Failure{path + " is a symlink or not a folder; vmrun will not use it", elsewhere, path};
        return Failure{"cannot open " + path + ": " + std::strerror(errno), "", path};
    }
    struct stat st {};
    int rc = ::fstat(fd, &st);
    ::close(fd);
    if (rc != 0) return Failure{"cannot inspect " + path + ": " + std::strerror(errno), "", path};
    if (st.st_uid != ::geteuid())
        return Failure{path + " belongs to uid " + std::to_string(st.st_uid) + ", not to you (uid " + std::to_string(::geteuid()) +
                           "); vmrun will not trust what is in it",
                       elsewhere, path};
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return Failure{path + " is writable by other users; vmrun will not trust what is in it", "chmod go-w " + path, path};
    return std::nullopt;
}

}  // namespace

std::optional<Failure> make_private_dir(const std::string& path) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    // mkdir never follows a symlink in its last component; check_one then
    // refuses one that was there already.
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        return Failure{"cannot create " + path + ": " + std::strerror(errno), "", path};
    return check_one(path, false);
}

std::optional<Failure> check_private_dir(const std::string& path) {
    return check_one(path, true);
}

}  // namespace vmrun
