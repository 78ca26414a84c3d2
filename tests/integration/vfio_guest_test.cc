// vmrun against a real kernel's vfio-pci: scripts/vfio-guest-test.sh boots a
// TCG guest with an emulated Intel IOMMU and runs this checkout's vmrun inside
// it. Each PASS:/FAIL: line it prints becomes a check here.

#include <doctest/doctest.h>

#include <boost/process.hpp>
#include <sstream>
#include <string>

namespace bp = boost::process;

namespace {

struct GuestRun {
    int exit_code = -1;
    std::string output;
    std::vector<std::string> passed, failed;
};

GuestRun run_guest_suite(const std::string& suite) {
    GuestRun r;
    bp::ipstream out;
    bp::child c(bp::search_path("bash"), std::string(VMRUN_SOURCE_DIR) + "/scripts/vfio-guest-test.sh", suite,
                (bp::std_out & bp::std_err) > out, bp::std_in < bp::null);
    std::string line;
    bool summary = false;
    while (std::getline(out, line)) {
        r.output += line + "\n";
        if (line.rfind("=====", 0) == 0) summary = true;  // the lines after it repeat every check once
        if (!summary) continue;
        if (line.rfind("PASS: ", 0) == 0) r.passed.push_back(line.substr(6));
        if (line.rfind("FAIL: ", 0) == 0) r.failed.push_back(line.substr(6));
    }
    c.wait();
    r.exit_code = c.exit_code();
    return r;
}

void require_all_passed(const GuestRun& r, size_t at_least) {
    INFO(r.output);
    for (const auto& f : r.failed) CHECK_MESSAGE(false, "in the guest: " << f);
    CHECK(r.passed.size() >= at_least);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("RESULT: PASS") != std::string::npos);
}

}  // namespace

TEST_CASE("real vfio-pci in an emulated-IOMMU guest: vmrun iommu, check, bind by address, the shared-pair refusal, restore") {
    auto r = run_guest_suite("iommu");
    require_all_passed(r, 28);
}

TEST_CASE("passthrough end to end on a real kernel: start, placement, x-vga, hotplug --pci, unplug, stop, and both crashes") {
    auto r = run_guest_suite("passthrough");
    require_all_passed(r, 44);
}

TEST_CASE("never take a disk the host uses, on a real kernel: NVMe multipath and plain swap, a lazy unmount, another namespace's mount, a dm volume; and give back only what is still vmrun's (a disk the kernel gave back to nvme, an earlier boot's entry, an unbind that blocks)") {
    auto r = run_guest_suite("disks");
    require_all_passed(r, 38);
}

TEST_CASE("SR-IOV on a real kernel: vmrun makes an emulated NVMe's VFs, binds one by pf/vf, QEMU opens it, the count comes back after stop and faults") {
    auto r = run_guest_suite("sriov");
    require_all_passed(r, 20);
}

TEST_CASE("SR-IOV NIC on a real kernel: a VF's MAC, VLAN, spoof checking and trust set over rtnetlink, and the user's own back after stop, a QEMU crash and restore") {
    auto r = run_guest_suite("sriov-nic");
    require_all_passed(r, 19);
}

TEST_CASE("single-GPU handoff on a real kernel: the boot VGA with the console and a display manager goes to the VM and comes back after stop, a QEMU crash and restore") {
    auto r = run_guest_suite("display");
    require_all_passed(r, 25);
}

TEST_CASE("evdev input on a real kernel: a uinput keyboard given to a second-level VM through input-linux, its keys read by the inner kernel; one more hotplugged and unplugged") {
    auto r = run_guest_suite("input");
    require_all_passed(r, 19);
}
