// vmrun iommu on a simulated host, and on one without an IOMMU.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "run_vmrun.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun::testing;

TEST_CASE("vmrun iommu lists groups with drivers, bridges, boot VGA and whole-passable groups") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    VmrunEnv env{root / "run", root / "state"};
    auto r = run_vmrun(env, {"iommu", "--sysroot", root.path.string() + "/"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("IOMMU group 1  (passes whole: one device, 0000:01:00)") != std::string::npos);
    CHECK(r.out.find("0000:00:01.0  8086:1901  PCI bridge    pcieport        bridge") != std::string::npos);
    CHECK(r.out.find("0000:01:00.0  10de:1e07  VGA           nvidia          boot VGA") != std::string::npos);
    CHECK(r.out.find("0000:01:00.3  10de:1ad7  serial bus    nvidia-gpu") != std::string::npos);

    auto j = run_vmrun(env, {"iommu", "--json", "--sysroot", root.path.string() + "/"});
    auto groups = nlohmann::json::parse(j.out);
    bool found = false;
    for (const auto& g : groups)
        if (g["group"] == 1) {
            found = true;
            CHECK(g["passes_whole"] == true);
            CHECK(g["devices"].size() == 5);
        }
    CHECK(found);
}

TEST_CASE("vmrun iommu without an IOMMU fails with the fix") {
    TempDir root;
    add_function(root.path.string(), {"0000:03:00.0", "0x8086", "0x10d3", "0x020000", "e1000e", -1, -1});
    VmrunEnv env{root / "run", root / "state"};
    auto r = run_vmrun(env, {"iommu", "--sysroot", root.path.string() + "/"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("the IOMMU is off") != std::string::npos);
    CHECK(r.err.find("intel_iommu=on") != std::string::npos);
    // A root given without its trailing slash is joined with one.
    auto bare = run_vmrun(env, {"iommu", "--sysroot", root.path.string()});
    CHECK(bare.err.find("no IOMMU groups under " + root.path.string() + "/sys/kernel/iommu_groups:") != std::string::npos);
}
