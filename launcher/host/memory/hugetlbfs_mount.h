#pragma once
// A hugetlbfs of the VM's own, in its runtime folder, for a page size the host
// has no mount of: mounted (journaled first) before QEMU starts, unmounted
// when the VM ends.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/failure.h"
#include "host/journal.h"

namespace vmrun {

// Where of a failure: the mount point; the journal's replay unmounts what was mounted.
std::optional<Failure> mount_private_hugetlbfs(const std::string& path, uint64_t page_kib, Journal& journal);

// The undo of a "hugetlbfs-mount" entry (the caller checks the path is this VM's).
UndoOutcome unmount_private_hugetlbfs(const std::string& path);

}  // namespace vmrun
