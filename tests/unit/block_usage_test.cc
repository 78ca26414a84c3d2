// Never take a disk the host is using: the refusals for every way a block
// device hangs off a PCI function, on the seed hosts' simulated sysfs, with
// the simulated kernel answering the exclusive-open check.

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pci_addresses.h"
#include "host/block/block_stack.h"
#include "host/block/exclusive_open.h"
#include "host/pci/passthrough_setup.h"
#include "sim_kernel.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> whats(const std::vector<Failure>& problems) {
    std::vector<std::string> out;
    for (const auto& p : problems) out.push_back(p.what);
    return out;
}

std::string fix_of(const std::vector<Failure>& problems, const std::string& what_part) {
    for (const auto& p : problems)
        if (p.what.find(what_part) != std::string::npos) return p.fix;
    return "";
}

// The kernel never says "busy": what the tables alone find.
ClaimAnswer always_free(const BlockDevice&) { return {Claim::free, ""}; }

}  // namespace

TEST_CASE("the NVMe multipath layout: swap on the namespace head is found through the controller's path device") {
    TempDir root;
    sim_dl360(root.path.string());
    SimKernel kernel(root.path.string());
    add_multipath_nvme_swap(root.path.string(), "0000:5e:00.0", 0);

    auto stack = block_devices_of(root.path.string(), root.path / "sys/bus/pci/devices/0000:5e:00.0");
    REQUIRE(stack.size() == 2);
    CHECK(stack[0].name == "nvme0c0n1");
    CHECK(stack[0].dev.empty());
    CHECK(stack[1].name == "nvme0n1");
    CHECK(stack[1].relation == "namespace head");
    CHECK(stack[1].dev == "259:0");

    auto inspection = inspect_passthrough(root.path.string(), addrs({"5e:00.0"}), kernel.exclusive_open());
    auto problems = inspection.problems();
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].what ==
          "0000:5e:00.0 holds active swap: /dev/nvme0n1 (namespace of NVMe subsystem nvme-subsys0, reached through nvme0c0n1)");
    CHECK(problems[0].fix.find("swapoff /dev/nvme0n1") == 0);
    CHECK(inspection.unverified.empty());
    CHECK(inspection.problems(ForceBind::all()).empty());
}

TEST_CASE("the multipath head is another controller's only when its subsystem links this controller") {
    TempDir root;
    sim_dl360(root.path.string());
    add_multipath_nvme_swap(root.path.string(), "0000:5e:00.0", 0);
    // The subsystem's link now names a different controller: the head is not this path's.
    fs::path link = root.path / "sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0";
    fs::remove(link);
    fs::create_symlink("../../../pci0000:00/0000:5f:00.0", link);
    auto stack = block_devices_of(root.path.string(), root.path / "sys/bus/pci/devices/0000:5e:00.0");
    REQUIRE(stack.size() == 1);
    auto inspection = inspect_passthrough(root.path.string(), addrs({"5e:00.0"}), always_free);
    CHECK(inspection.problems().empty());
    // ...and that is not silent: the path device with no head is reported.
    REQUIRE(inspection.unverified.size() == 1);
    CHECK(inspection.unverified[0].what == "0000:5e:00.0: nvme0c0n1 has no device node and no namespace head was found for it");
}

TEST_CASE("LVM on a partition, mounted: the volume, its mount and the partition it claims are all named") {
    TempDir root;
    sim_dl360(root.path.string());
    SimKernel kernel(root.path.string());
    add_lvm_mounted_nvme(root.path.string(), "0000:5f:00.0", 1, 0, "/srv");
    auto problems = inspect_passthrough(root.path.string(), addrs({"5f:00.0"}), kernel.exclusive_open()).problems();
    auto w = whats(problems);
    REQUIRE(w.size() == 2);
    CHECK(w[0] == "0000:5f:00.0 is claimed by LVM volume vg0-root (/dev/dm-0): /dev/nvme1n1p2 (partition of nvme1n1)");
    CHECK(w[1] == "0000:5f:00.0 holds a mounted filesystem: /srv on /dev/mapper/vg0-root (LVM volume vg0-root on nvme1n1p2)");
    CHECK(fix_of(problems, "claimed by LVM").find("vgchange -an") != std::string::npos);
    CHECK(fix_of(problems, "mounted filesystem").find("umount /srv") != std::string::npos);
}

TEST_CASE("an md RAID member is refused though the array is not mounted") {
    TempDir root;
    sim_dl360(root.path.string());
    SimKernel kernel(root.path.string());
    add_md_member_nvme(root.path.string(), "0000:60:00.0", 2, "md127");
    auto problems = inspect_passthrough(root.path.string(), addrs({"60:00.0"}), kernel.exclusive_open()).problems();
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].what == "0000:60:00.0 is claimed by md RAID md127 (raid1) (/dev/md127): /dev/nvme2n1");
    CHECK(problems[0].fix.find("mdadm --stop /dev/md127") != std::string::npos);
}

TEST_CASE("a claim no table shows is refused on the kernel's word, with what udev knows of the disk") {
    TempDir root;
    sim_dl360(root.path.string());
    SimKernel kernel(root.path.string());
    auto dev = add_plain_nvme(root.path.string(), "0000:60:00.0", 2);
    add_udev_contents(root.path.string(), dev, "zfs_member", "tank");
    CHECK(inspect_passthrough(root.path.string(), addrs({"60:00.0"}), kernel.exclusive_open()).problems().empty());

    kernel.claim_exclusively("nvme2n1");  // the pool is imported: ZFS holds its vdev exclusively
    auto problems = inspect_passthrough(root.path.string(), addrs({"60:00.0"}), kernel.exclusive_open()).problems();
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].what ==
          "0000:60:00.0: the kernel reports /dev/nvme2n1 in use (an exclusive open fails with EBUSY); udev says it holds "
          "a ZFS pool member (pool tank), and no mount, swap or holder in this namespace explains it");
    CHECK(problems[0].fix.find("zpool export") != std::string::npos);
    // Without the kernel's answer the tables see nothing: the check is what refuses.
    CHECK(inspect_passthrough(root.path.string(), addrs({"60:00.0"}), always_free).problems().empty());
}

TEST_CASE("a mount in another mount namespace and a program holding the disk open are named") {
    TempDir root;
    sim_dl360(root.path.string());
    SimKernel kernel(root.path.string());
    auto dev = add_plain_nvme(root.path.string(), "0000:60:00.0", 2);
    add_foreign_mount(root.path.string(), 4242, "containerd-shim", "nvme2n1", dev, "/data");
    add_open_block(root.path.string(), 900, "dd", "nvme2n1");
    auto problems = inspect_passthrough(root.path.string(), addrs({"60:00.0"}), kernel.exclusive_open()).problems();
    auto w = whats(problems);
    REQUIRE(w.size() == 2);
    CHECK(w[0] == "0000:60:00.0 holds a filesystem mounted at /data in another mount namespace (that of pid 4242 "
                  "(containerd-shim)) on /dev/nvme2n1");
    CHECK(w[1] == "0000:60:00.0 is in use: pid 900 (dd) has /dev/nvme2n1 open (/dev/nvme2n1)");
    CHECK(fix_of(problems, "another mount namespace").find("nsenter -t 4242 -m umount /data") != std::string::npos);
}

TEST_CASE("the real exclusive-open check answers only for the very block device sysfs names") {
    TempDir root;
    BlockDevice d;
    d.name = "nvme0n1";
    d.dev = "259:0";
    auto check = kernel_exclusive_open(root.path.string());
    auto answer = check(d);
    CHECK(answer.claim == Claim::unknown);
    CHECK(answer.detail.find("no device node for 259:0") == 0);

    // A regular file where the node should be (a stale copy, a simulated tree) never answers "free".
    fs::create_directories(root.path / "dev");
    std::ofstream(root.path / "dev/nvme0n1") << "";
    answer = check(d);
    CHECK(answer.claim == Claim::unknown);
    CHECK(answer.detail == (root.path / "dev/nvme0n1").string() + " is not the block device 259:0");

    d.dev = "garbage";
    CHECK(check(d).claim == Claim::unknown);
}

TEST_CASE("on a simulated tree the real check cannot ask: said as unverified, never silently free") {
    TempDir root;
    sim_dl360(root.path.string());
    add_plain_nvme(root.path.string(), "0000:60:00.0", 2);
    auto inspection = inspect_passthrough(root.path.string(), addrs({"60:00.0"}));
    CHECK(inspection.problems().empty());
    REQUIRE(inspection.unverified.size() == 1);
    CHECK(inspection.unverified[0].what.find("0000:60:00.0: cannot ask the kernel whether /dev/nvme2n1 is in use") == 0);
}
