#pragma once
// What a VM needs from the host, worded once: 'vmrun check' prints these as
// its FAIL lines, and the start's preflight refuses with the very same text
// and fix. Pure: each takes what was read from the host.

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "host/memory/hugepage_pool.h"
#include "plan/launch_plan.h"

namespace vmrun {

// `profile_file`: the profile the fix may point into ("" for the host in general).
Failure qemu_missing(const std::string& binary);
Failure kvm_unusable(bool intel, const std::string& profile_file);
Failure swtpm_missing(const std::string& binary, const std::string& profile_file);
Failure ovmf_file_missing(const std::string& what, const std::string& path, const std::string& key, const std::string& profile_file);

// The huge pages a plan asks for, against the pool of that size (nullopt: the
// kernel has none of that size). `mount_exists`: the hugetlbfs the plan names
// is mounted (only asked when vmrun does not mount its own).
std::vector<Failure> hugepage_shortfall(const HugepagePlan& h, const std::optional<HugepagePool>& pool, bool mount_exists,
                                            const std::string& profile_file);

}  // namespace vmrun
