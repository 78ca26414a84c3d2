// vmrun iommu on a simulated host, and on one without an IOMMU.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

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

// The CPU vendor must not decide the IOMMU kind: an AMD CPU under an Intel
// IOMMU (dmar0) still needs intel_iommu=on, as 'vmrun check' says.
TEST_CASE("vmrun host-config takes the IOMMU kind from the kernel's units, not the CPU vendor") {
    TempDir root;
    std::string host = root.path.string() + "/host";
    sim_i9_9900k(host);
    VmrunEnv env{root / "run", root / "state", host};
    auto profile = root.path.string() + "/gpu.yaml";
    write_file(profile, tiny_guest_profile("gpu", "passthrough:\n  - host: 01:00.0\n    x_vga: true\n"
                                                   "  - host: 01:00.1\n  - host: 01:00.2\n  - host: 01:00.3\n"));

    auto config = [&](const std::string& cpu_vendor, const std::string& unit) {
        std::ofstream(host + "/proc/cpuinfo") << "processor\t: 0\nvendor_id\t: " << cpu_vendor << "\n";
        std::filesystem::remove_all(host + "/sys/class/iommu");
        std::filesystem::create_directories(host + "/sys/class/iommu/" + unit);
        auto r = run_vmrun(env, {"host-config", profile, "--distro", "debian", "--sysroot", host + "/"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        return r.out;
    };
    CHECK(config("AuthenticAMD", "dmar0").find("intel_iommu=on") != std::string::npos);
    CHECK(config("GenuineIntel", "ivhd0").find("intel_iommu=on") == std::string::npos);
    CHECK(config("GenuineIntel", "dmar0").find("intel_iommu=on") != std::string::npos);
}
