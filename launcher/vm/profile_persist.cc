#include "vm/profile_persist.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>

#include "profile/diagnostics.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

// Who asked for the edit: through sudo, the user sudo names.
uid_t invoking_user() {
    if (::getuid() == 0)
        if (const char* sudo = std::getenv("SUDO_UID"); sudo && *sudo) {
            char* end = nullptr;
            unsigned long uid = std::strtoul(sudo, &end, 10);
            if (*end == '\0') return static_cast<uid_t>(uid);
        }
    return ::getuid();
}

std::string errno_text() { return std::strerror(errno); }

// The profile's folder, opened once with its last step not a symlink: every
// later read, write and rename goes through this descriptor, so swapping the
// folder's path for a link to another folder redirects nothing. Refused when
// users other than root and the one asking could rename files inside it.
OwnedFd open_profile_folder(const ProfileSnapshot& snapshot, std::string& error) {
    auto dir = fs::path(snapshot.path).parent_path();
    OwnedFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) {
        error = "cannot open the folder " + dir.string() + ": " + errno_text();
        return {};
    }
    if (snapshot.folder_inode != 0 && (st.st_dev != snapshot.folder_device || st.st_ino != snapshot.folder_inode)) {
        error = dir.string() + " is not the folder the profile was in when the VM started (it was moved or replaced)";
        return {};
    }
    uid_t asking = invoking_user();
    if (st.st_uid != 0 && st.st_uid != asking) {
        error = "the folder " + dir.string() + " belongs to uid " + std::to_string(st.st_uid) +
                ", neither root nor you: its owner could swap the file while vmrun writes it as root. "
                "Run the command as that user (sudo from their account), or edit the profile by hand";
        return {};
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        error = "the folder " + dir.string() + " is writable by other users (mode " + [&] {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
            return std::string(mode);
        }() + "), who could swap the file while vmrun writes it. Make it writable by its owner only (chmod go-w)";
        return {};
    }
    return fd;
}

// The profile file inside the opened folder: a regular file, not a link, with
// one name (a second hard link would keep the old text after the rename).
std::optional<std::string> read_profile_in(int folder, const std::string& name, const std::string& path,
                                           std::string& error) {
    OwnedFd fd(::openat(folder, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) {
        error = "cannot read " + path + ": " + errno_text();
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        error = path + " is no longer a regular file";
        return std::nullopt;
    }
    if (st.st_nlink > 1) {
        error = path + " has " + std::to_string(st.st_nlink) +
                " names (hard links); replacing it would leave the others with the old text. "
                "Edit it by hand, or make it a single file";
        return std::nullopt;
    }
    std::string text;
    char buf[65536];
    for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR) continue;
            error = "cannot read " + path + ": " + errno_text();
            return std::nullopt;
        }
        text.append(buf, size_t(n));
        if (text.size() > (16u << 20)) {
            error = path + " has grown past 16 MiB";
            return std::nullopt;
        }
    }
    return text;
}

std::string random_suffix() {
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::random_device random;
    std::string s;
    for (int i = 0; i < 10; ++i) s += letters[random() % (sizeof letters - 1)];
    return s;
}

// Into a new file in the same folder, with the old file's owner and mode,
// then renamed over it: readers see the old file or the new one, never half
// of either. Names resolve only inside the folder's descriptor.
std::string replace_file_in(int folder, const std::string& name, const std::string& path, const std::string& text) {
    struct stat st {};
    if (::fstatat(folder, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return path + ": " + errno_text();
    std::string tmp;
    OwnedFd fd;
    for (int attempt = 0; attempt < 8 && !fd; ++attempt) {
        tmp = "." + name + ".vmrun-" + random_suffix();
        fd = OwnedFd(::openat(folder, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd && errno != EEXIST) break;
    }
    if (!fd) return "cannot create a file beside " + path + ": " + errno_text();
    bool ok = ::write(fd.get(), text.data(), text.size()) == ssize_t(text.size());
    ok = ok && ::fchmod(fd.get(), st.st_mode & 07777) == 0;
    if (ok && ::fchown(fd.get(), st.st_uid, st.st_gid) != 0 && errno != EPERM) ok = false;
    ok = ok && ::fsync(fd.get()) == 0;
    int saved = errno;
    fd.reset();
    if (!ok || ::renameat(folder, tmp.c_str(), folder, name.c_str()) != 0) {
        if (ok) saved = errno;
        ::unlinkat(folder, tmp.c_str(), 0);
        return "cannot write " + path + ": " + std::strerror(saved);
    }
    ::fsync(folder);
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
    std::string error;
    auto folder_fd = open_profile_folder(*snapshot, error);
    std::string name = fs::path(snapshot->path).filename().string();
    auto now = folder_fd ? read_profile_in(folder_fd.get(), name, snapshot->path, error) : std::nullopt;
    if (!now) {
        std::cerr << "vmrun: --persist: " << error << "; nothing was changed\n";
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
    p.folder_ = std::move(folder_fd);
    p.name_ = name;
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

bool PersistedProfile::commit(const VmPaths& folder, ChangeLog& report) {
    // Once more, just before the rename: the device change took a while.
    std::string err;
    auto now = read_profile_in(folder_.get(), name_, snapshot_.path, err);
    if (now && *now != snapshot_.text)
        err = snapshot_.path + " changed while the device was being changed";
    else if (now)
        err = replace_file_in(folder_.get(), name_, snapshot_.path, accepted_);
    if (!err.empty()) {
        std::cerr << "vmrun: --persist: " << err << "; the running VM has the change, the profile does not\n";
        return false;
    }
    // The VM now runs what the file says: the next --persist starts from here.
    if (auto e = write_profile_snapshot(folder, [&] {
            auto next = snapshot_;
            next.text = accepted_;
            return next;
        }()); !e.empty())
        std::cerr << "vmrun: warning: " << e << "; a further --persist will see the file as changed\n";
    report.set("profile_updated", snapshot_.path, snapshot_.path + " updated");
    return true;
}

}  // namespace vmrun
