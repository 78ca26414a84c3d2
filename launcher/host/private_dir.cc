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
std::string check_one(const std::string& path, bool missing_is_fine) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && missing_is_fine) return "";
        if (errno == ELOOP || errno == ENOTDIR)
            return path + " is a symlink or not a folder; vmrun will not use it (remove it, or set VMRUN_RUNTIME_DIR / VMRUN_STATE_DIR)";
        return "cannot open " + path + ": " + std::strerror(errno);
    }
    struct stat st {};
    int rc = ::fstat(fd, &st);
    ::close(fd);
    if (rc != 0) return "cannot inspect " + path + ": " + std::strerror(errno);
    if (st.st_uid != ::geteuid())
        return path + " belongs to uid " + std::to_string(st.st_uid) + ", not to you (uid " + std::to_string(::geteuid()) +
               "); vmrun will not trust what is in it (remove it, or set VMRUN_RUNTIME_DIR / VMRUN_STATE_DIR)";
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return path + " is writable by other users; vmrun will not trust what is in it (chmod go-w " + path + ")";
    return "";
}

}  // namespace

std::string make_private_dir(const std::string& path) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    // mkdir never follows a symlink in its last component; check_one then
    // refuses one that was there already.
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return "cannot create " + path + ": " + std::strerror(errno);
    return check_one(path, false);
}

std::string check_private_dir(const std::string& path) {
    return check_one(path, true);
}

}  // namespace vmrun
