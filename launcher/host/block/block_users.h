#pragma once
// What the host does with its block devices, by name, so a refusal can say
// exactly who holds a disk: mounts in vmrun's mount namespace and in every
// other one (containers, services with private mounts), swap, what is stacked
// on it (LVM, LUKS, md, bcache — from block_stack), programs holding it open,
// and udev's filesystem label (ZFS pool member, btrfs) to explain a claim no
// table shows. Read once through a sysroot (proc/, run/udev/data/).

#include <string>
#include <vector>

#include "base/failure.h"
#include "host/block/block_stack.h"
#include "host/open_handles.h"

namespace vmrun {

// One line of /proc/PID/mountinfo: "36 35 259:2 / /mnt rw,relatime shared:1 - ext4 /dev/nvme0n1 rw";
// false when it is not one. The mount point and source come unescaped.
bool parse_mountinfo_line(const std::string& line, std::string& dev, std::string& target, std::string& fstype,
                          std::string& source);

class BlockUsers {
public:
    static BlockUsers read(const std::string& sysroot);

    // Every use of `device` that the tables name; empty when none does.
    // `stack` is the whole list block_devices_of returned (holders are in it).
    std::vector<Failure> uses_of(const BlockDevice& device, const std::vector<BlockDevice>& stack,
                                  const OpenHandles& handles) const;

    // For a device the kernel says is claimed and no table names: what udev
    // knows of its contents ("ZFS pool member (pool tank)"), or "".
    std::string udev_contents(const BlockDevice& device) const;

private:
    struct Mount {
        std::string dev, source, target, fstype;
        std::string holder;  // another namespace: "pid 812 (sleep)"; "" for vmrun's own
    };
    struct Swap {
        std::string name;
        std::string dev;  // "" when the name is not a block device node here
    };
    std::string sysroot_;
    std::vector<Mount> mounts_;
    std::vector<Swap> swaps_;
};

}  // namespace vmrun
