// Reading PCI functions and IOMMU groups through a sysfs root, and expanding
// a profile's passthrough list to whole groups, on the seeds' simulated hosts.

#include <doctest/doctest.h>

#include "pci_addresses.h"
#include "host/pci/passthrough_groups.h"
#include "host/pci/pci_sysfs.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;

namespace {
bool mentions(const GroupExpansion& e, const std::string& text) {
    for (const auto& p : e.problems)
        if ((p.what + "; " + p.fix).find(text) != std::string::npos) return true;
    return false;
}
}  // namespace

TEST_CASE("sysfs: functions with ids, class, driver, group and boot_vga") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    auto fs = read_pci_functions(root.path.string());
    REQUIRE(fs.size() == 7);
    const auto& gpu = fs[3];
    CHECK(gpu.address.str() == "0000:01:00.0");
    CHECK(gpu.vendor == 0x10de);
    CHECK(gpu.device == 0x1e07);
    CHECK(gpu.is_vga());
    CHECK(gpu.driver == "nvidia");
    CHECK(gpu.iommu_group == 1);
    CHECK(gpu.boot_vga == true);
    CHECK(gpu.driver_override.empty());
    CHECK(fs[1].is_bridge());
    CHECK(fs[4].driver == "snd_hda_intel");
    CHECK_FALSE(fs[4].boot_vga.has_value());
    auto groups = read_iommu_groups(root.path.string());
    REQUIRE(groups.count(1));
    CHECK(groups[1].size() == 5);
}

TEST_CASE("groups: the 2080 Ti's four functions pass whole; the root port in its group is no obstacle") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    auto host = read_pci_functions(root.path.string());
    auto e = expand_iommu_groups(addrs({"01:00.0", "01:00.1", "01:00.2", "01:00.3"}), host);
    CHECK(e.problems.empty());
    REQUIRE(e.groups.size() == 1);
    CHECK(e.groups[0].group == 1);
    CHECK(e.groups[0].to_bind.size() == 4);
    REQUIRE(e.groups[0].bridges.size() == 1);
    CHECK(e.groups[0].bridges[0].address.str() == "0000:00:01.0");
}

TEST_CASE("groups: leaving the GPU's USB and UCSI functions out names each with its driver and the line to add") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    auto e = expand_iommu_groups(addrs({"01:00.0", "01:00.1"}), read_pci_functions(root.path.string()));
    REQUIRE(e.problems.size() == 2);
    CHECK(e.problems[0].what == "IOMMU group 1 of 0000:01:00.0 also holds 0000:01:00.2 [10de:1ad6] (driver xhci_hcd)");
    CHECK(e.problems[0].fix == "a group passes whole: add '- host: 0000:01:00.2' to passthrough");
    CHECK(mentions(e, "0000:01:00.3 [10de:1ad7] (driver nvidia-gpu)"));
}

TEST_CASE("groups: one of three identical NVMe drives, by address, takes only that one") {
    TempDir root;
    sim_dl360(root.path.string());
    auto e = expand_iommu_groups(addrs({"5f:00.0", "86:00.0"}), read_pci_functions(root.path.string()));
    CHECK(e.problems.empty());
    REQUIRE(e.groups.size() == 2);
    REQUIRE(e.groups[0].to_bind.size() == 1);
    CHECK(e.groups[0].to_bind[0].address.str() == "0000:5f:00.0");
    CHECK(e.groups[1].group == 79);
}

TEST_CASE("groups: an OHCI controller without its EHCI companion is refused, naming it") {
    TempDir root;
    sim_amd_990fx(root.path.string());
    auto e = expand_iommu_groups(addrs({"01:00.0", "01:00.1", "00:12.0"}), read_pci_functions(root.path.string()));
    REQUIRE(e.problems.size() == 1);
    CHECK(mentions(e, "also holds 0000:00:12.2 [1002:4396] (driver ehci-pci)"));
    CHECK(e.problems[0].where == "0000:00:12.0");
}

TEST_CASE("groups: a missing device, a bridge, and no IOMMU at all") {
    TempDir root;
    sim_dl360(root.path.string());
    auto host = read_pci_functions(root.path.string());
    auto e = expand_iommu_groups(addrs({"07:00.0", "5d:00.0"}), host);
    CHECK(mentions(e, "host has no PCI device 0000:07:00.0"));
    CHECK(mentions(e, "0000:5d:00.0 is a PCI bridge"));
    TempDir bare;
    add_function(bare.path.string(), {"0000:03:00.0", "0x8086", "0x10d3", "0x020000", "e1000e", -1, -1});
    auto off = expand_iommu_groups(addrs({"03:00.0"}), read_pci_functions(bare.path.string()));
    CHECK(mentions(off, "the IOMMU is off"));
}
