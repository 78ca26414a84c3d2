#pragma once
// Asks the kernel instead of guessing: an open(O_RDONLY | O_EXCL) of a block
// device fails with EBUSY while anything claims it — a mount in any mount
// namespace (also one lazily unmounted but still busy), swap, md, dm,
// bcache, ZFS, btrfs, or a program's own exclusive open. It sees what no
// table under /proc shows; the tables then name the holder when they can.
//
// The check is a function so a simulated kernel can answer it in tests
// (a simulated sysfs has no block device nodes to open).

#include <functional>
#include <string>

#include "host/block/block_stack.h"

namespace vmrun {

enum class Claim { free, busy, unknown };

struct ClaimAnswer {
    Claim claim = Claim::unknown;
    std::string detail;  // for unknown: why the kernel could not be asked
};

using ExclusiveOpenCheck = std::function<ClaimAnswer(const BlockDevice&)>;

// Opens SYSROOT/dev/block/MAJ:MIN or SYSROOT/dev/NAME, only once it is the
// block device with the number sysfs gives, and closes it at once.
ExclusiveOpenCheck kernel_exclusive_open(std::string sysroot);

}  // namespace vmrun
