// The verdicts of 'vmrun check' on fixed readings: each requirement, when it
// is a FAIL and when only a WARN, and the fix it names.

#include <doctest/doctest.h>

#include <algorithm>

#include "host/host_check.h"
#include "profile_fixture.h"
#include "run/preflight.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;

namespace {

HostReadings ready_intel_host() {
    HostReadings h;
    h.cpu_vendor = "GenuineIntel";
    h.cpu_flags = {"fpu", "vmx", "sse2"};
    h.kvm_usable = true;
    h.iommu_groups = 17;
    h.iommu_units = {"dmar0", "dmar1"};
    h.cmdline = "root=/dev/sda1 intel_iommu=on iommu=pt quiet";
    h.interrupt_remapping = true;
    h.modules = {"kvm", "vfio", "vfio_iommu_type1", "vfio_pci"};
    h.vfio_pci_driver = true;
    h.qemu_version = "7.2.22";
    h.files = {{"/usr/share/OVMF/OVMF_CODE_4M.fd", true}};
    h.tun = h.vhost_net = true;
    return h;
}

const CheckLine* find(const std::vector<CheckLine>& lines, const std::string& topic, const std::string& text_part = "") {
    for (const auto& l : lines)
        if (l.topic == topic && l.text.find(text_part) != std::string::npos) return &l;
    return nullptr;
}

int count(const std::vector<CheckLine>& lines, Verdict v) {
    int n = 0;
    for (const auto& l : lines) n += l.verdict == v;
    return n;
}

const char* kTinyTcg = "name: t\naccelerator: tcg\ncpu: max\nmemory: 256M\n";

}  // namespace

TEST_CASE("check: a ready Intel host passes everything") {
    auto lines = check_host(ready_intel_host(), nullptr, nullptr);
    CHECK(count(lines, Verdict::fail) == 0);
    CHECK(count(lines, Verdict::warn) == 0);
    REQUIRE(find(lines, "IOMMU"));
    CHECK(find(lines, "IOMMU")->text == "on: 17 groups (dmar0, dmar1)");
    CHECK(find(lines, "QEMU")->text == "qemu-system-x86_64 7.2.22");
}

TEST_CASE("check: no IOMMU on Intel fails with the firmware switch and the kernel parameters") {
    auto h = ready_intel_host();
    h.iommu_groups = 0;
    h.iommu_units.clear();
    h.cmdline = "root=/dev/sda1 quiet";
    h.interrupt_remapping = false;
    auto lines = check_host(h, nullptr, nullptr);
    auto* iommu = find(lines, "IOMMU");
    REQUIRE(iommu);
    CHECK(iommu->verdict == Verdict::fail);
    CHECK(iommu->fix.find("enable VT-d in the firmware setup and add 'intel_iommu=on iommu=pt' to GRUB_CMDLINE_LINUX_DEFAULT") == 0);
    CHECK(find(lines, "cmdline", "intel_iommu=on is not")->verdict == Verdict::fail);
    CHECK(find(lines, "cmdline", "iommu=pt")->verdict == Verdict::warn);
    CHECK_FALSE(find(lines, "IRQ"));  // nothing to say about remapping without an IOMMU
}

TEST_CASE("check: IOMMU on by the kernel's default only warns about the missing parameter; no remapping warns with the unsafe last resort") {
    auto h = ready_intel_host();
    h.cmdline = "root=/dev/sda1";
    h.interrupt_remapping = false;
    auto lines = check_host(h, nullptr, nullptr);
    CHECK(find(lines, "cmdline", "intel_iommu=on")->verdict == Verdict::warn);
    CHECK(find(lines, "cmdline", "intel_iommu=on")->text.find("on by the kernel's default") != std::string::npos);
    auto* irq = find(lines, "IRQ");
    REQUIRE(irq);
    CHECK(irq->verdict == Verdict::warn);
    CHECK(irq->fix.find("allow_unsafe_interrupts=1") != std::string::npos);
}

TEST_CASE("check: AMD needs no IOMMU parameter, but amd_iommu=off fails") {
    auto h = ready_intel_host();
    h.cpu_vendor = "AuthenticAMD";
    h.cpu_flags = {"svm"};
    h.iommu_units = {"ivhd0"};
    h.cmdline = "root=/dev/sda1 iommu=pt";
    auto lines = check_host(h, nullptr, nullptr);
    CHECK(find(lines, "CPU")->text == "AMD-V (svm)");
    REQUIRE(find(lines, "cmdline", "AMD-Vi"));
    CHECK(find(lines, "cmdline", "AMD-Vi")->verdict == Verdict::pass);
    h.cmdline += " amd_iommu=off";
    auto off = check_host(h, nullptr, nullptr);
    REQUIRE(find(off, "cmdline", "amd_iommu=off"));
    CHECK(find(off, "cmdline", "amd_iommu=off")->verdict == Verdict::fail);
    // An Intel IOMMU decides even under a CPU that reports AMD (as TCG's -cpu max does).
    h.iommu_units = {"dmar0"};
    h.cmdline = "intel_iommu=on iommu=pt";
    REQUIRE(find(check_host(h, nullptr, nullptr), "cmdline", "intel_iommu=on"));
}

TEST_CASE("check: vfio modules and QEMU missing") {
    auto h = ready_intel_host();
    h.modules = {"kvm"};
    h.vfio_pci_driver = false;
    h.qemu_version.reset();
    auto lines = check_host(h, nullptr, nullptr);
    CHECK(find(lines, "vfio")->text == "not loaded: vfio, vfio_iommu_type1, vfio_pci");
    CHECK(find(lines, "vfio")->fix.find("modprobe vfio-pci") == 0);
    CHECK(find(lines, "QEMU")->verdict == Verdict::fail);
    CHECK(find(lines, "QEMU")->fix.find("apt-get install qemu-system-x86") == 0);
}

TEST_CASE("check: a tcg profile without passthrough needs neither KVM nor an IOMMU") {
    auto h = ready_intel_host();
    h.kvm_usable = false;
    h.cpu_flags.clear();
    h.iommu_groups = 0;
    auto p = run_pipeline(kTinyTcg);
    REQUIRE(p.planned.plan);
    auto lines = check_host(h, &*p.planned.plan, nullptr);
    CHECK(count(lines, Verdict::fail) == 0);
    CHECK(find(lines, "KVM")->text == "/dev/kvm is not usable (this profile uses tcg)");
    CHECK_FALSE(find(lines, "IOMMU"));
}

TEST_CASE("check: huge pages short of the profile's memory, and a bridge that does not exist") {
    auto h = ready_intel_host();
    h.hugepage_pools[2048] = {100, 100, 0};
    h.bridges = {{"br0", false}};
    auto p = run_pipeline(std::string(kTinyTcg) + "hugepages: true\nnetwork:\n  - type: tap\n    bridge: br0\n");
    REQUIRE(p.planned.plan);
    auto lines = check_host(h, &*p.planned.plan, nullptr);
    auto* huge = find(lines, "hugepages");
    REQUIRE(huge);
    CHECK(huge->verdict == Verdict::fail);
    CHECK(huge->text == "only 100 2M huge pages are free; the VM needs 128");
    CHECK(huge->fix.find("allocate: true") != std::string::npos);
    CHECK(huge->fix.find("echo 128 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages") != std::string::npos);
    auto* bridge = find(lines, "network", "bridge br0");
    REQUIRE(bridge);
    CHECK(bridge->verdict == Verdict::fail);
    CHECK(bridge->fix.find("ip link add br0 type bridge") != std::string::npos);
}

TEST_CASE("check: huge pages vmrun allocates at start pass when short; a size the kernel lacks fails") {
    auto h = ready_intel_host();
    h.hugepage_pools[2048] = {10, 4, 1};  // 3 usable: the reserved one is promised to someone
    auto p = run_pipeline(std::string(kTinyTcg) + "hugepages: {size: 2M, allocate: true}\n");
    REQUIRE(p.planned.plan);
    auto lines = check_host(h, &*p.planned.plan, nullptr);
    auto* huge = find(lines, "hugepages");
    REQUIRE(huge);
    CHECK(huge->verdict == Verdict::pass);
    CHECK(huge->text == "3 free now; vmrun adds the 125 more of the 128 pages of 2M for 256 MiB at start and gives them back after");

    auto big = run_pipeline("name: t\naccelerator: tcg\ncpu: max\nmemory: 2G\nhugepages: {size: 1G, allocate: true}\n");
    REQUIRE(big.planned.plan);
    lines = check_host(h, &*big.planned.plan, nullptr);
    huge = find(lines, "hugepages");
    REQUIRE(huge);
    CHECK(huge->verdict == Verdict::fail);
    CHECK(huge->text == "this kernel has no 1G huge pages, and the profile asks for them");
    CHECK(huge->fix.find("pdpe1gb") != std::string::npos);
}

TEST_CASE("check PROFILE: pinned CPUs must be online; the plan is shown when they are") {
    auto h = ready_intel_host();
    h.online_cpus = std::vector<int>{0, 1, 2, 3};
    auto p = run_pipeline("name: t\naccelerator: tcg\ncpu:\n  model: max\n  pin:\n    vcpus: [3, 2]\n    emulator: [0, 1]\nmemory: 256M\nsmp: 2\n");
    REQUIRE(p.errors().empty());
    auto lines = check_host(h, &*p.planned.plan, nullptr);
    REQUIRE(find(lines, "pinning"));
    CHECK(find(lines, "pinning")->verdict == Verdict::pass);
    CHECK(find(lines, "pinning")->text == "vCPUs on host CPUs 3,2, QEMU's other threads on 0-1; all online");

    h.online_cpus = std::vector<int>{0, 1, 2};
    lines = check_host(h, &*p.planned.plan, nullptr);
    REQUIRE(find(lines, "pinning"));
    CHECK(find(lines, "pinning")->verdict == Verdict::fail);
    CHECK(find(lines, "pinning")->text == "host CPU 3 in cpu.pin.vcpus is not online on this host (online: 0-2)");
}

TEST_CASE("check and the start's preflight word a missing requirement alike: the same text, the same fix") {
    TempDir root;
    add_hugepage_pool(root.path.string(), 2048, 100, 100);
    auto facts = fixed_facts("t");
    facts.sysroot = root.path.string();
    facts.qemu_binary = (root.path / "no-qemu-here").string();
    auto p = run_pipeline(std::string(kTinyTcg) + "hugepages: {size: 2M, path: " + (root.path / "no-mount").string() + "}\n", "/vm", facts);
    REQUIRE(p.planned.plan);
    auto refusals = preflight(*p.planned.plan);

    auto h = ready_intel_host();
    h.qemu_version.reset();
    h.hugepage_pools[2048] = {100, 100, 0};
    auto lines = check_host(h, &*p.planned.plan, nullptr);
    size_t shared = 0;
    for (const auto& topic : {"QEMU", "hugepages"})
        for (const auto& line : lines) {
            if (line.topic != topic || line.verdict != Verdict::fail) continue;
            ++shared;
            bool same = std::any_of(refusals.begin(), refusals.end(), [&](const Failure& r) { return r.what == line.text && r.fix == line.fix; });
            CHECK_MESSAGE(same, "check says '" << line.text << "' (fix: " << line.fix << "); preflight words it otherwise");
        }
    CHECK(shared == 3);  // QEMU missing, huge pages short, no hugetlbfs at the path
}
