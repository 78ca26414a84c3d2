#include "host/memory/hugepage_setup.h"

#include <spdlog/spdlog.h>

#include "host/memory/hugetlbfs_mount.h"

namespace vmrun {

std::optional<Failure> set_up_hugepages(const LaunchPlan& plan, Journal& journal, FileLock& lock) {
    if (!plan.hugepages) return std::nullopt;
    const auto& h = *plan.hugepages;
    if (h.allocate) {
        std::string error;
        lock = lock_hugepage_pool(plan.paths().hugepage_lock_file(), error);
        if (!lock.held()) return Failure{error, "", plan.paths().hugepage_lock_file()};
        auto outcome = raise_hugepage_pool({plan.facts.sysroot, h.page_kib, h.pages}, journal);
        if (outcome.failure) return outcome.failure;
        spdlog::info("{}", outcome.done);
    }
    if (h.private_mount) {
        if (auto failure = mount_private_hugetlbfs(h.mem_path, h.page_kib, journal)) return failure;
        spdlog::info("mounted a hugetlbfs of {} pages at {}", page_size_name(h.page_kib), h.mem_path);
    }
    return std::nullopt;
}

}  // namespace vmrun
