#include "host/memory/hugepage_setup.h"

#include <spdlog/spdlog.h>

#include "host/memory/hugetlbfs_mount.h"

namespace vmrun {

std::string set_up_hugepages(const LaunchPlan& plan, Journal& journal, FileLock& lock) {
    if (!plan.hugepages) return "";
    const auto& h = *plan.hugepages;
    if (h.allocate) {
        std::string error;
        lock = lock_hugepage_pool(plan.paths().hugepage_lock_file(), error);
        if (!lock.held()) return error;
        auto outcome = raise_hugepage_pool({plan.facts.sysroot, h.page_kib, h.pages}, journal);
        if (!outcome.error.empty()) return outcome.error + (outcome.fix.empty() ? "" : " (fix: " + outcome.fix + ")");
        spdlog::info("{}", outcome.done);
    }
    if (h.private_mount) {
        if (auto err = mount_private_hugetlbfs(h.mem_path, h.page_kib, journal); !err.empty()) return err;
        spdlog::info("mounted a hugetlbfs of {} pages at {}", page_size_name(h.page_kib), h.mem_path);
    }
    return "";
}

}  // namespace vmrun
