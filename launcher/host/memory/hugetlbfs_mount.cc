#include "host/memory/hugetlbfs_mount.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace vmrun {

std::optional<Failure> mount_private_hugetlbfs(const std::string& path, uint64_t page_kib, Journal& journal) {
    if (auto ec = journal.record({"hugetlbfs-mount", {{"path", path}}})) return journal_failure(journal, ec);
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return Failure{"cannot create " + path + ": " + std::strerror(errno), "", path};
    // QEMU opens its file before it drops to run_as, so the owner stays root.
    std::string options = "pagesize=" + std::to_string(page_kib) + "K,mode=0700";
    if (::mount("hugetlbfs", path.c_str(), "hugetlbfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options.c_str()) != 0)
        return Failure{"cannot mount a hugetlbfs for the VM's memory at " + path + ": " + std::strerror(errno),
                       errno == EPERM ? "run vmrun as root (only root may mount it), or give hugepages.path" : "", path};
    return std::nullopt;
}

UndoOutcome unmount_private_hugetlbfs(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return UndoOutcome::nothing();
    bool unmounted = false;
    // Detached: a QEMU that still holds its file keeps the pages until it exits, then they are free.
    if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) unmounted = true;
    else if (errno != EINVAL)  // EINVAL: not a mount point (any more)
        return UndoOutcome::failed({"cannot unmount the VM's hugetlbfs " + path + ": " + std::strerror(errno),
                                    "umount " + path + " once no program uses it (fuser -m " + path + ")", path});
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return UndoOutcome::failed({"cannot remove " + path + ": " + std::strerror(errno), "rmdir " + path, path});
    return unmounted ? UndoOutcome::done("unmounted the VM's hugetlbfs " + path) : UndoOutcome::nothing();
}

}  // namespace vmrun
