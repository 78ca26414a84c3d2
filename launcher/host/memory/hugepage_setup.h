#pragma once
// The guest's huge pages made ready before QEMU starts: a hugetlbfs of the
// VM's own when nobody mounted one of the page size, and with `allocate` the
// kernel's pool raised by what is missing. Every step journaled; the
// journal's replay gives the pages back and unmounts.

#include <optional>
#include <string>

#include "base/failure.h"
#include "host/journal.h"
#include "host/memory/hugepage_pool.h"
#include "plan/launch_plan.h"

namespace vmrun {

// Returns the failure (with its numbers and fix), if any. `lock` is left held
// when the pool was raised: the caller keeps it until QEMU has taken its
// pages, then lets it go.
std::optional<Failure> set_up_hugepages(const LaunchPlan& plan, Journal& journal, FileLock& lock);

}  // namespace vmrun
