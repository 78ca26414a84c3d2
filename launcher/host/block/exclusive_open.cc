#include "host/block/exclusive_open.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace vmrun {

namespace {

bool parse_dev(const std::string& text, dev_t& out) {
    unsigned major = 0, minor = 0;
    char extra = 0;
    if (std::sscanf(text.c_str(), "%u:%u%c", &major, &minor, &extra) != 2) return false;
    out = makedev(major, minor);
    return true;
}

ClaimAnswer ask(const fs::path& node, dev_t wanted) {
    // O_NONBLOCK: never wait on a removable medium; the check needs no I/O.
    int fd = ::open(node.c_str(), O_RDONLY | O_EXCL | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == EBUSY) return {Claim::busy, ""};
        return {Claim::unknown, "opening " + node.string() + " failed: " + std::strerror(errno)};
    }
    struct stat st {};
    bool same = ::fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == wanted;
    ::close(fd);
    if (!same) return {Claim::unknown, node.string() + " changed while it was checked"};
    return {Claim::free, ""};
}

}  // namespace

ExclusiveOpenCheck kernel_exclusive_open(std::string sysroot) {
    return [sysroot = std::move(sysroot)](const BlockDevice& d) -> ClaimAnswer {
        dev_t wanted{};
        if (!parse_dev(d.dev, wanted)) return {Claim::unknown, d.name + " has no device number in sysfs"};
        std::string tried;
        for (const auto& node : {fs::path(sysroot) / "dev/block" / d.dev, fs::path(sysroot) / "dev" / d.name}) {
            struct stat st {};
            if (::stat(node.c_str(), &st) != 0) continue;
            // Only the node of this very device: a stale or foreign node must not answer for it.
            if (!S_ISBLK(st.st_mode) || st.st_rdev != wanted) {
                tried = node.string() + " is not the block device " + d.dev;
                continue;
            }
            return ask(node, wanted);
        }
        if (tried.empty()) tried = "no device node for " + d.dev + " under " + (fs::path(sysroot) / "dev").string();
        return {Claim::unknown, tried};
    };
}

}  // namespace vmrun
