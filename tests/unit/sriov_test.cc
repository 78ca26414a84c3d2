// SR-IOV virtual functions: where a VF's address is, the profile's pf/vf items
// and their errors, the plan (one root port per VF), and making the VFs on a
// simulated kernel — journaled before the write, given back unless another VF
// of the PF is still with a VM.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "text_has.h"
#include "base/pci_address.h"
#include "host/host_restore.h"
#include "host/journal.h"
#include "host/net/vf_settings.h"
#include "host/pci/bind_functions.h"
#include "host/pci/device_presence.h"
#include "host/pci/passthrough_setup.h"
#include "host/pci/pci_sysfs.h"
#include "host/pci/sriov.h"
#include "host/sysfs_io.h"
#include "plan/qemu_argv.h"
#include "profile_fixture.h"
#include "sim_kernel.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

PciAddress at(const char* text) { return *parse_pci_address(text); }

// An Intel 82599 as lspci shows it: VFs from 03:10.0 on, every other function.
HostFacts facts_with_82599(unsigned existing = 0) {
    auto f = fixed_facts("vfvm");
    f.sriov[at("03:00.0")] = {63, existing, 128, 2};
    return f;
}

Pipeline plan_of(const std::string& passthrough, const HostFacts& facts) {
    return run_pipeline("name: vfvm\nmemory: 1G\naccelerator: tcg\npassthrough:\n" + passthrough, "/vm", facts);
}

}  // namespace

TEST_CASE("a VF's address is the PF's routing id plus offset and stride, as the PCIe spec puts it") {
    // Intel 82599 (ixgbe): offset 128, stride 2 — VFs at 03:10.0, 03:10.2, ...
    CHECK(virtual_function_address(at("0000:03:00.0"), 128, 2, 0)->str() == "0000:03:10.0");
    CHECK(virtual_function_address(at("0000:03:00.0"), 128, 2, 1)->str() == "0000:03:10.2");
    CHECK(virtual_function_address(at("0000:03:00.0"), 128, 2, 7)->str() == "0000:03:11.6");
    // The second port of the same card (03:00.1) interleaves: 03:10.1, 03:10.3.
    CHECK(virtual_function_address(at("0000:03:00.1"), 128, 2, 1)->str() == "0000:03:10.3");
    // An ARI device (offset 1, stride 1) runs past function 7 into the next slot numbers.
    CHECK(virtual_function_address(at("0000:5e:00.0"), 1, 1, 6)->str() == "0000:5e:00.7");
    CHECK(virtual_function_address(at("0000:5e:00.0"), 1, 1, 7)->str() == "0000:5e:01.0");
    CHECK(virtual_function_address(at("0001:ff:1f.0"), 8, 1, 0) == std::nullopt);
}

TEST_CASE("pf/vf items: each VF gets its own root port, found from the PF's numbers") {
    auto p = plan_of("  - {pf: 03:00.0, vf: 1, id: vf-b}\n  - {pf: 0000:03:00.0, vf: 0, id: vf-a}\n", facts_with_82599());
    INFO(p.errors().size());
    REQUIRE(p.planned.plan);
    const auto& plan = *p.planned.plan;
    REQUIRE(plan.passthrough.size() == 2);
    CHECK(plan.passthrough[0].device.host.str() == "0000:03:10.2");
    CHECK(plan.passthrough[1].device.host.str() == "0000:03:10.0");
    // Two VFs in one host slot, yet not functions of one guest slot.
    CHECK(plan.passthrough[0].at.bus == "rp1");
    CHECK(plan.passthrough[1].at.bus == "rp2");
    CHECK_FALSE(plan.passthrough[0].at.multifunction);
    CHECK(plan.root_ports[0].holds == "0000:03:10.2");
    REQUIRE(plan.sriov.size() == 1);
    CHECK(plan.sriov[0].pf.str() == "0000:03:00.0");
    CHECK(plan.sriov[0].needed == 2);
    CHECK(plan.sriov[0].existing == 0);
    CHECK(plan.sriov[0].create());
    CHECK(plan.sriov[0].at.line == 5);
    auto argv = build_qemu_argv(plan);
    std::string all;
    for (const auto& a : argv) all += a + "\n";
    INFO(all);
    CHECK(has_arg(argv, "vfio-pci,host=0000:03:10.2,id=vf-b,bus=rp1,addr=0x0"));
    CHECK(has_arg(argv, "vfio-pci,host=0000:03:10.0,id=vf-a,bus=rp2,addr=0x0"));
    // The VFs to be made are not inspected before they exist.
    CHECK(existing_passthrough_addresses(plan).empty());
    CHECK(sriov_problems(plan).empty());

    // VFs named by address (the host knows them as VFs) stand alone too.
    auto f = fixed_facts("vfvm");
    f.virtual_functions = {at("03:10.0"), at("03:10.2")};
    auto by_host = plan_of("  - 03:10.0\n  - 03:10.2\n", f);
    REQUIRE(by_host.planned.plan);
    CHECK(by_host.planned.plan->passthrough[0].at.bus == "rp1");
    CHECK(by_host.planned.plan->passthrough[1].at.bus == "rp2");
    // Physical functions of one slot still share one.
    auto pfs = plan_of("  - 03:00.0\n  - 03:00.1\n", fixed_facts("vfvm"));
    REQUIRE(pfs.planned.plan);
    CHECK(pfs.planned.plan->passthrough[1].at.bus == "rp1");
}

TEST_CASE("pf/vf items: VFs that exist are inspected; a non-zero count too low is a problem with the fix") {
    auto enough = plan_of("  - {pf: 03:00.0, vf: 2}\n", facts_with_82599(4));
    REQUIRE(enough.planned.plan);
    CHECK_FALSE(enough.planned.plan->sriov[0].create());
    CHECK(existing_passthrough_addresses(*enough.planned.plan) == std::vector<PciAddress>{at("03:10.4")});

    auto short_by = plan_of("  - {pf: 03:00.0, vf: 5}\n", facts_with_82599(4));
    REQUIRE(short_by.planned.plan);
    auto problems = sriov_problems(*short_by.planned.plan);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].what == "0000:03:00.0 has 4 virtual functions and line 5 asks for vf 5; the kernel changes a VF count only from 0");
    CHECK(problems[0].fix.find("echo 0 > /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs' (vmrun then creates 6), or use a vf below 4") !=
          std::string::npos);
}

TEST_CASE("pf/vf items: every bad value is an error at its line and column") {
    auto facts = facts_with_82599();
    // One line per error, so a failure shows the text.
    auto errors = [&](const std::string& items) {
        std::string out;
        for (const auto& e : plan_of(items, facts).errors()) out += e + "\n";
        return out;
    };
    CHECK(errors("  - {host: 03:10.0, pf: 03:00.0, vf: 0}\n") ==
          "bad.yaml:5:12: give either 'host' or 'pf' and 'vf', not both: vmrun finds the VF's address itself\n");
    CHECK(errors("  - {vf: 1}\n") == "bad.yaml:5:10: 'vf' needs 'pf', the physical function whose virtual function it is\n");
    CHECK(errors("  - {pf: 03:00.0}\n") ==
          "bad.yaml:5:10: 'pf' needs 'vf', the index (from 0) of its virtual function to pass\n");
    CHECK(errors("  - {pf: 03:00.0, vf: -1}\n").rfind("bad.yaml:5:23: 'vf'", 0) == 0);
    CHECK(errors("  - {pf: eth0, vf: 1}\n").rfind("bad.yaml:5:10: 'pf' must be the PCI address of an SR-IOV physical function", 0) == 0);
    CHECK(errors("  - {pf: 03:00.0, vf: 1}\n  - {pf: 03:00.0, vf: 1}\n") ==
          "bad.yaml:6:23: vf 1 of 0000:03:00.0 is listed twice (also at line 5)\n");
    CHECK(errors("  - {pf: 03:00.0, vf: 1, x_vga: true}\n").find("a virtual function is not a GPU's VGA function") != std::string::npos);
    CHECK(errors("  - {pf: 03:00.0, vf: 1}\n  - 03:00.0\n") ==
          "bad.yaml:5:10: the physical function 0000:03:00.0 is passed through whole (line 6); its virtual "
          "functions exist only while the host's driver keeps it\n");
    // Against the host: not a PF here, an index past the total, an address listed twice.
    CHECK(errors("  - {pf: 04:00.0, vf: 0}\n") ==
          "bad.yaml:5:10: 0000:04:00.0 is not an SR-IOV physical function on this host (no sriov_totalvfs in "
          "sysfs); 'vmrun iommu' lists the PFs with their VF counts\n");
    CHECK(errors("  - {pf: 03:00.0, vf: 63}\n") ==
          "bad.yaml:5:23: 0000:03:00.0 offers 63 virtual functions (sriov_totalvfs); vf is 0 to 62, got 63\n");
    CHECK(errors("  - 03:10.2\n  - {pf: 03:00.0, vf: 1}\n") ==
          "bad.yaml:6:23: vf 1 of 0000:03:00.0 is 0000:03:10.2, already listed as host at line 5\n");
}

namespace {

struct SriovHost {
    TempDir dir;
    std::string root = dir / "host";
    std::unique_ptr<SimKernel> kernel;
    SriovHost() {
        add_function(root, {"0000:03:00.0", "0x8086", "0x10fb", "0x020000", "ixgbe", 20, -1});
        add_sriov(root, {"0000:03:00.0", 63, 128, 2, "0x10ed", "ixgbevf", 40});
        add_driver(root, "vfio-pci");
        write_file(root + "/proc/sys/kernel/random/boot_id", "11111111-2222\n");
        kernel = std::make_unique<SimKernel>(root);
    }
    std::string numvfs() const { return read_first_line(fs::path(root) / "sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"); }
    SriovPlan request(unsigned needed, unsigned existing = 0) const { return {at("03:00.0"), needed, existing, {}}; }
};

}  // namespace

TEST_CASE("making VFs: journaled before the write, shown as the kernel shows them, given back by the replay") {
    SriovHost host;
    fs::create_directories(host.dir / "state");
    Journal journal(host.dir / "state/journal");
    bool journaled_first = false;
    host.kernel->on_write([&](const SimWrite& w) {
        if (w.file.find("sriov_numvfs") != std::string::npos && w.value == "2")
            journaled_first = journal.read().entries.size() == 1 && journal.read().entries[0].action == "sriov-vfs";
    });
    REQUIRE(!create_virtual_functions(host.root, host.request(2), journal));
    CHECK(journaled_first);
    CHECK(host.numvfs() == "2");
    auto facts = read_sriov(host.root, at("03:00.0"));
    REQUIRE(facts);
    CHECK(facts->total_vfs == 63);
    CHECK(facts->num_vfs == 2);
    CHECK(is_virtual_function(host.root, at("03:10.2")));
    CHECK_FALSE(is_virtual_function(host.root, at("03:00.0")));
    auto origin = virtual_function_origin(host.root, at("03:10.2"));
    REQUIRE(origin);
    CHECK(origin->pf.str() == "0000:03:00.0");
    CHECK(origin->index == 1);
    // As 'vmrun iommu' reads them.
    for (const auto& f : read_pci_functions(host.root)) {
        if (f.address == at("03:00.0")) {
            CHECK(f.vfs_now == 2u);
            CHECK(f.vfs_total == 63u);
        }
        if (f.address == at("03:10.2")) {
            CHECK(f.physfn == at("03:00.0"));
            CHECK(f.vf_index == 1);
            CHECK(f.driver == "ixgbevf");
            CHECK(f.iommu_group == 41);
        }
    }
    // Enough already: nothing written.
    CHECK(!create_virtual_functions(host.root, host.request(2, 2), journal));

    auto report = make_restorer({}).restore(journal);
    INFO(report.errors.size());
    CHECK(report.ok());
    host.kernel->sync();
    CHECK(host.numvfs() == "0");
    CHECK_FALSE(fs::exists(fs::path(host.root) / "sys/bus/pci/devices/0000:03:10.0"));
    CHECK_FALSE(fs::exists(fs::path(host.root) / "sys/kernel/iommu_groups/40"));
}

TEST_CASE("making VFs: a non-zero count is not changed; a VF still with a VM keeps them all; an earlier boot's entry does nothing") {
    SriovHost host;
    fs::create_directories(host.dir / "state");
    Journal journal(host.dir / "state/journal");
    REQUIRE(!create_virtual_functions(host.root, host.request(2), journal));
    // Another VM's start wants more than exist: refused, nothing written.
    auto writes = host.kernel->writes().size();
    Journal other(host.dir / "state/other");
    auto refused = create_virtual_functions(host.root, host.request(4, 2), other);
    REQUIRE(refused);
    CHECK(refused->what == "0000:03:00.0 has 2 virtual functions and this VM needs 4; the kernel changes a VF count only from 0");
    CHECK(refused->where == "0000:03:00.0");
    host.kernel->sync();
    CHECK(host.kernel->writes().size() == writes);
    CHECK_FALSE(other.exists());

    // VF 1 is with another VM (on vfio-pci): the replay leaves the count.
    auto vf1 = fs::path(host.root) / "sys/devices/pci0000:00/0000:03:10.2";
    fs::remove(vf1 / "driver");
    fs::create_symlink("../../../bus/pci/drivers/vfio-pci", vf1 / "driver");
    auto report = make_restorer({}).restore(journal);
    CHECK(report.ok());
    CHECK(report.undone.empty());
    REQUIRE(report.left_alone.size() == 1);
    CHECK(report.left_alone[0] == "left 2 virtual functions on 0000:03:00.0: VF 1 (0000:03:10.2) is still on vfio-pci, with another VM; "
                              "lower sriov_numvfs once it is free");
    CHECK(host.numvfs() == "2");

    // After a reboot the VFs someone has are not this journal's.
    Journal stale(host.dir / "state/stale");
    stale.record({"sriov-vfs", {{"key", "sriov:0000:03:00.0"}, {"sysroot", host.root}, {"pf", "0000:03:00.0"},
                                {"before", 0}, {"asked", 2}, {"boot", "00000000-0000"}}});
    fs::remove(vf1 / "driver");
    CHECK(make_restorer({}).restore(stale).ok());
    CHECK(host.numvfs() == "2");
    // Hostile entries are skipped, never acted on.
    Journal hostile(host.dir / "state/hostile");
    hostile.record({"sriov-vfs", {{"sysroot", "relative/root"}, {"pf", "0000:03:00.0"}, {"before", 0}, {"asked", 2}}});
    hostile.record({"sriov-vfs", {{"sysroot", host.root}, {"pf", "../../etc"}, {"before", 0}, {"asked", 2}}});
    hostile.record({"sriov-vfs", {{"sysroot", host.root}, {"pf", "0000:03:00.0"}, {"before", 5}, {"asked", 2}}});
    auto h = make_restorer({}).restore(hostile);
    CHECK(h.skipped.size() == 3);
    CHECK(host.numvfs() == "2");
}

// A NIC VF's settings: the profile's keys, what the plan makes of them, their
// errors at file:line:column. Setting them is proven on a real kernel's igb
// (tests/guest/sriov_nic.sh): rtnetlink has no simulated peer.
namespace {

HostFacts facts_with_82599_nic() {
    auto f = facts_with_82599();
    f.sriov[at("03:00.0")].netdev = "enp3s0f0";
    return f;
}

}  // namespace

TEST_CASE("NIC VF settings: mac, vlan, spoof_check and trust become one rtnetlink plan per VF, set on the PF's interface") {
    auto p = plan_of("  - {pf: 03:00.0, vf: 1, id: vf-b, mac: 52:54:00:AB:00:01, vlan: 10, spoof_check: false, trust: true}\n"
                     "  - {pf: 03:00.0, vf: 0, vlan: 0}\n"
                     "  - {pf: 03:00.0, vf: 2}\n",
                     facts_with_82599_nic());
    REQUIRE(p.planned.plan);
    const auto& plan = *p.planned.plan;
    REQUIRE(plan.vf_net.size() == 2);
    const auto& a = plan.vf_net[0];
    CHECK(a.pf.str() == "0000:03:00.0");
    CHECK(a.vf_address.str() == "0000:03:10.2");
    CHECK(a.pf_netdev == "enp3s0f0");
    CHECK(a.index == 1);
    CHECK(a.settings.mac == "52:54:00:ab:00:01");
    CHECK(a.settings.vlan == 10u);
    CHECK(a.settings.spoof_check == false);
    CHECK(a.settings.trust == true);
    CHECK(describe_vf_net(a.settings) == "mac 52:54:00:ab:00:01, vlan 10, spoof checking off, trusted");
    CHECK(plan.vf_net[1].index == 0);
    CHECK(describe_vf_net(plan.vf_net[1].settings) == "untagged");
    // The settings are the host's business: the VF's QEMU device is as before.
    auto argv = build_qemu_argv(plan);
    CHECK(has_arg(argv, "vfio-pci,host=0000:03:10.2,id=vf-b,bus=rp1,addr=0x0"));
}

TEST_CASE("NIC VF settings: every bad value is an error at its line and column") {
    auto nic = facts_with_82599_nic();
    auto errors = [&](const std::string& items, const HostFacts& facts) {
        std::string out;
        for (const auto& e : plan_of(items, facts).errors()) out += e + "\n";
        return out;
    };
    CHECK(errors("  - {pf: 03:00.0, vf: 1, mac: 52:54:00:zz:00:01}\n", nic) ==
          "bad.yaml:5:31: 'mac': write six hex bytes separated by ':', like 52:54:00:12:34:56, got '52:54:00:zz:00:01'\n");
    CHECK(errors("  - {pf: 03:00.0, vf: 1, mac: 01:00:5e:00:00:01}\n", nic).find("bad.yaml:5:31: 'mac': a multicast MAC") == 0);
    CHECK(errors("  - {pf: 03:00.0, vf: 1, vlan: 4095}\n", nic).rfind("bad.yaml:5:32: 'vlan'", 0) == 0);
    CHECK(errors("  - {pf: 03:00.0, vf: 1, spoof_check: maybe}\n", nic).rfind("bad.yaml:5:39: 'spoof_check'", 0) == 0);
    CHECK(errors("  - {pf: 03:00.0, vf: 1, trust: 1}\n", nic).rfind("bad.yaml:5:33: 'trust'", 0) == 0);
    CHECK(errors("  - {host: 03:00.0, mac: 52:54:00:00:00:01}\n", nic) ==
          "bad.yaml:5:26: 'mac' is a NIC virtual function's setting, made on its physical function; it needs 'pf' and 'vf' "
          "(for a whole NIC, the guest's driver sets its MAC and VLANs)\n");
    CHECK(errors("  - {host: 03:00.0, vlan: 3, trust: false}\n", nic).find("bad.yaml:5:27: 'vlan' is a NIC virtual function's setting") == 0);
    // Against the host: a PF with no network interface (an NVMe, or a NIC without its driver).
    CHECK(errors("  - {pf: 03:00.0, vf: 1, vlan: 3}\n", facts_with_82599()) ==
          "bad.yaml:5:32: 0000:03:00.0 has no network interface on this host (no net/ in its sysfs folder): mac, vlan, "
          "spoof_check and trust are set through a NIC's driver; load the PF's network driver, or leave them out for a VF "
          "that is not a NIC\n");
}

TEST_CASE("NIC VF settings: the journal's vf-net entries are checked before any undo, and an earlier boot's does nothing") {
    TempDir dir;
    std::string root = dir / "host";
    write_file(root + "/proc/sys/kernel/random/boot_id", "11111111-2222\n");
    nlohmann::json before = {{"mac", "52:54:00:99:00:01"}, {"vlan", 5u}, {"qos", 0u}, {"spoof_check", true}};
    nlohmann::json good = {{"sysroot", root}, {"pf", "0000:03:00.0"}, {"vf", 1u}, {"before", before},
                           {"asked", {{"vlan", 10u}}}, {"boot", "11111111-2222"}};
    CHECK(check_vf_net_entry(good) == "");
    auto with = [&](const char* key, nlohmann::json value) {
        auto j = good;
        j[key] = std::move(value);
        return check_vf_net_entry(j);
    };
    CHECK(with("sysroot", "relative") == "no absolute sysfs root");
    CHECK(with("pf", "../../etc") == "no valid PCI address");
    CHECK(with("vf", -1) == "no valid VF index");
    CHECK(with("asked", "vlan") == "no settings");
    CHECK(with("before", {{"mac", "52:54"}, {"vlan", 5u}, {"qos", 0u}}) == "no valid earlier MAC");
    CHECK(with("before", {{"mac", "52:54:00:99:00:01"}, {"vlan", 5000u}, {"qos", 0u}}) == "no valid earlier VLAN");
    // An entry from before a reboot: the VF it set is gone; nothing is touched, nothing fails.
    auto stale = good;
    stale["boot"] = "00000000-0000";
    Journal journal(dir / "journal");
    REQUIRE_FALSE(journal.record({"vf-net", stale}));
    auto report = make_restorer({}).restore(journal);
    CHECK(report.ok());
    CHECK(report.undone.empty());
    REQUIRE(report.left_alone.size() == 1);
    CHECK(report.left_alone[0].find("'vf-net' was written in an earlier boot") == 0);
    // The PF has no interface any more (its driver was unloaded): its VF settings went with it.
    CHECK(restore_vf_net(good).kind == UndoOutcome::Kind::nothing);
}

TEST_CASE("bind_functions: the VFs are made first, the VF asked for is bound once its group exists, in journal order") {
    SriovHost host;
    fs::create_directories(host.dir / "state");
    Journal journal(host.dir / "state/journal");
    auto result = bind_functions({host.root, {at("03:10.2")}, {host.request(2)}, {}, {}, std::nullopt}, journal);
    INFO((result.failure ? result.failure->text() : ""));
    REQUIRE(result.ok());
    host.kernel->sync();
    REQUIRE(result.bound.size() == 1);
    CHECK(result.bound[0].address.str() == "0000:03:10.2");
    CHECK(result.bound[0].was_driver == "ixgbevf");
    CHECK(result.bound[0].group == 41);
    CHECK(result.done == std::vector<std::string>{"0000:03:00.0 has 2 virtual functions"});
    CHECK(symlink_name(fs::path(host.root) / "sys/bus/pci/devices/0000:03:10.2/driver") == "vfio-pci");
    std::vector<std::string> actions;
    for (const auto& e : journal.read().entries) actions.push_back(e.action);
    REQUIRE(actions.size() >= 2);
    CHECK(actions.front() == "sriov-vfs");
    CHECK(std::find(actions.begin(), actions.end(), "pci-driver") != actions.end());
    CHECK(make_restorer({}).restore(journal).ok());
    host.kernel->sync();
    CHECK(host.numvfs() == "0");
}

TEST_CASE("bind_functions: a refusal binds nothing and says why") {
    SriovHost host;
    fs::create_directories(host.dir / "state");
    Journal journal(host.dir / "state/journal");
    // No VFs asked to be made: the VF's address names nothing on the host.
    auto result = bind_functions({host.root, {at("03:10.2")}, {}, {}, {}, std::nullopt}, journal);
    CHECK_FALSE(result.ok());
    REQUIRE_FALSE(result.refusals.empty());
    CHECK(result.refusals[0].what.find("0000:03:10.2") != std::string::npos);
    CHECK(result.bound.empty());
    CHECK(journal.read().entries.empty());
}

TEST_CASE("a virtual function's vendor id reads 0xffff by the specification: it is judged by its PF, not refused as gone") {
    SriovHost host;
    fs::create_directories(host.dir / "state");
    Journal journal(host.dir / "state/journal");
    REQUIRE(!create_virtual_functions(host.root, host.request(2), journal));
    host.kernel->sync();
    auto config = [&](const char* fn, const std::string& bytes) {
        std::ofstream(fs::path(host.root) / "sys/bus/pci/devices" / fn / "config", std::ios::binary) << bytes;
    };
    config("0000:03:00.0", std::string("\x86\x80\xfb\x10", 4));  // the PF answers: Intel, 82599
    config("0000:03:10.0", std::string(64, '\xff'));                // its VF, as every VF reads
    auto vf = *parse_pci_address("03:10.0"), pf = *parse_pci_address("03:00.0");
    CHECK(read_presence(host.root, vf) == Presence::absent);  // the raw reading...
    CHECK_FALSE(absent_device(host.root, vf, pf));            // ...is no verdict for a VF
    CHECK(inspect_passthrough(host.root, {vf}).absent.empty());
    // The PF gone: its VF goes with it, and says so.
    config("0000:03:00.0", std::string(64, '\xff'));
    auto gone = absent_device(host.root, vf, pf);
    REQUIRE(gone);
    CHECK(gone->what.find("0000:03:10.0 is a virtual function of 0000:03:00.0, and 0000:03:00.0 does not answer") == 0);
    CHECK(make_restorer({}).restore(journal).ok());
}
