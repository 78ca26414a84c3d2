// Binding and restore against a simulated sysfs with a simulated kernel that
// answers the writes (support/sim_kernel.h).

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "failure_text.h"
#include "pci_addresses.h"
#include "host/host_restore.h"
#include "host/journal.h"
#include "host/pci/passthrough_setup.h"
#include "host/pci/bind_functions.h"
#include "host/pci/device_presence.h"
#include "sim_kernel.h"
#include "sim_sysfs.h"
#include "host/sysfs_io.h"
#include "temp_dir.h"
#include "host/pci/vfio_binder.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

std::string driver(const TempDir& root, const std::string& address) {
    return symlink_name(root.path / "sys/bus/pci/devices" / address / "driver");
}

std::string override_of(const TempDir& root, const std::string& address) {
    return read_first_line(root.path / "sys/bus/pci/devices" / address / "driver_override");
}

bool has_any(const std::vector<Failure>& problems, const std::string& text) {
    for (const auto& p : problems)
        if ((p.what + " | " + p.fix).find(text) != std::string::npos) return true;
    return false;
}

const BindLimits kShort{std::chrono::milliseconds(300), std::chrono::milliseconds(300)};

}  // namespace

TEST_CASE("binding: the 2080 Ti's four functions go to vfio-pci by address and all come back") {
    TempDir root, state;
    sim_i9_9900k(root.path.string());
    SimKernel kernel(root.path.string());
    auto inspection = inspect_passthrough(root.path.string(), addrs({"01:00.0", "01:00.1", "01:00.2", "01:00.3"}));
    REQUIRE(inspection.problems().empty());
    Journal journal(state / "journal");
    REQUIRE(testing::failure_text(bind_passthrough(root.path.string(), inspection.expansion, journal)) == "");

    for (auto a : {"0000:01:00.0", "0000:01:00.1", "0000:01:00.2", "0000:01:00.3"}) {
        CHECK(driver(root, a) == "vfio-pci");
        CHECK(override_of(root, a) == "vfio-pci");
    }
    CHECK(fs::exists(root.path / "dev/vfio/1"));
    CHECK(driver(root, "0000:00:01.0") == "pcieport");  // the root port in the group stays
    auto entries = journal.read().entries;
    REQUIRE(entries.size() == 4);
    CHECK(entries[0].action == "pci-driver");
    CHECK(entries[0].args["driver"] == "nvidia");
    CHECK(entries[2].args["driver"] == "xhci_hcd");
    for (const auto& w : kernel.writes()) CHECK(w.file.find("new_id") == std::string::npos);

    auto report = make_restorer({}).restore(journal);
    CHECK(report.ok());
    CHECK(report.undone.size() == 4);
    CHECK(driver(root, "0000:01:00.0") == "nvidia");
    CHECK(driver(root, "0000:01:00.1") == "snd_hda_intel");
    CHECK(driver(root, "0000:01:00.2") == "xhci_hcd");
    CHECK(driver(root, "0000:01:00.3") == "nvidia-gpu");
    CHECK(override_of(root, "0000:01:00.0") == "(null)");
    CHECK_FALSE(fs::exists(root.path / "dev/vfio/1"));
    CHECK_FALSE(journal.exists());
    // Idempotent: a second replay finds nothing to do.
    Journal again(state / "journal");
    CHECK(make_restorer({}).restore(again).undone.empty());
}

TEST_CASE("binding: one of three identical NVMe drives is taken, the other two stay on nvme") {
    TempDir root, state;
    sim_dl360(root.path.string());
    SimKernel kernel(root.path.string());
    auto inspection = inspect_passthrough(root.path.string(), addrs({"5f:00.0"}));
    REQUIRE(inspection.problems().empty());
    Journal journal(state / "journal");
    REQUIRE(testing::failure_text(bind_passthrough(root.path.string(), inspection.expansion, journal)) == "");
    CHECK(driver(root, "0000:5f:00.0") == "vfio-pci");
    CHECK(driver(root, "0000:5e:00.0") == "nvme");
    CHECK(driver(root, "0000:60:00.0") == "nvme");
    CHECK(fs::exists(root.path / "dev/vfio/41"));
    CHECK_FALSE(fs::exists(root.path / "dev/vfio/40"));
    CHECK(make_restorer({}).restore(journal).ok());
    CHECK(driver(root, "0000:5f:00.0") == "nvme");
}

TEST_CASE("binding: each change is journaled before it is made; without a journal nothing is touched") {
    TempDir root, state;
    sim_amd_990fx(root.path.string());
    SimKernel kernel(root.path.string());
    Journal journal(state / "journal");
    std::vector<std::string> unjournaled;
    kernel.on_write([&](const SimWrite& w) {
        // Every write names or sits under the device; its journal entry must already be on disk.
        auto text = read_file(state / "journal");
        for (auto a : {"0000:01:00.0", "0000:01:00.1"})
            if ((w.value == a || w.file.find(a) != std::string::npos) && text.find(a) == std::string::npos)
                unjournaled.push_back(w.file + " <- " + w.value);
    });
    auto inspection = inspect_passthrough(root.path.string(), addrs({"01:00.0", "01:00.1"}));
    REQUIRE(testing::failure_text(bind_passthrough(root.path.string(), inspection.expansion, journal)) == "");
    CHECK(kernel.writes().size() >= 6);  // override, unbind, probe for each
    CHECK(unjournaled.empty());
    CHECK(make_restorer({}).restore(journal).ok());

    Journal nowhere(state / "no/such/folder/journal");
    auto before = kernel.writes().size();
    auto err = testing::failure_text(bind_passthrough(root.path.string(), inspection.expansion, nowhere));
    CHECK(err.find("cannot write the journal") != std::string::npos);
    CHECK(err.find("0000:01:00.0 was not touched") != std::string::npos);
    CHECK(driver(root, "0000:01:00.0") == "nouveau");
    CHECK(override_of(root, "0000:01:00.0") == "(null)");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(kernel.writes().size() == before);
}

TEST_CASE("binding: a probe that never completes fails the bind, and the replay rolls the half-done group back") {
    TempDir root, state;
    sim_i9_9900k(root.path.string());
    SimKernel kernel(root.path.string());
    kernel.stall_probe("0000:01:00.2");
    auto inspection = inspect_passthrough(root.path.string(), addrs({"01:00.0", "01:00.1", "01:00.2", "01:00.3"}));
    Journal journal(state / "journal");
    std::optional<Failure> failure;
    for (const auto& f : inspection.expansion.groups[0].to_bind)
        if ((failure = bind_to_vfio(root.path.string(), f, journal, kShort))) break;
    REQUIRE(failure);
    CHECK(failure->what == "0000:01:00.2 did not bind to vfio-pci (driver now: none)");
    CHECK(failure->where == "0000:01:00.2");
    CHECK(failure->fix == "dmesg says why — often vfio-pci is not loaded (modprobe vfio-pci) or the device is in no IOMMU group");
    CHECK(driver(root, "0000:01:00.1") == "vfio-pci");
    CHECK(driver(root, "0000:01:00.2") == "");
    CHECK(journal.read().entries.size() == 3);  // 01:00.3 was never reached

    auto report = make_restorer({}).restore(journal);
    CHECK(report.ok());
    CHECK(driver(root, "0000:01:00.0") == "nvidia");
    CHECK(driver(root, "0000:01:00.1") == "snd_hda_intel");
    CHECK(driver(root, "0000:01:00.2") == "xhci_hcd");
    CHECK(override_of(root, "0000:01:00.2") == "(null)");
    CHECK(driver(root, "0000:01:00.3") == "nvidia-gpu");
}

TEST_CASE("refusals: the boot GPU carrying the console, a GPU held open by Xorg") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    add_framebuffer_console(root.path.string());
    add_drm_holder(root.path.string(), "0000:01:00.0", 1, 812, "Xorg");
    auto inspection = inspect_passthrough(root.path.string(), addrs({"01:00.0", "01:00.1", "01:00.2", "01:00.3"}));
    auto problems = inspection.problems();
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].what == "0000:01:00.0 is the boot GPU and the host console is on it (vtcon1: (M) frame buffer device)");
    CHECK(has_any(problems, "echo 0 > /sys/class/vtconsole/vtcon1/bind"));
    CHECK(problems[1].what == "0000:01:00.0 is in use: pid 812 (Xorg) has /dev/dri/card1 open");
    CHECK(has_any(problems, "--force-bind"));
    CHECK(inspection.problems(ForceBind::all()).empty());
}

TEST_CASE("refusals: a function whose configuration space reads 0xffff (D3cold, gone) is refused, even with --force-bind") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    auto config = [&](const char* fn, std::string bytes) {
        std::ofstream(root.path / "sys/bus/pci/devices" / fn / "config", std::ios::binary) << bytes;
    };
    // The GPU answers (NVIDIA, 0x10de), its audio function has fallen off the bus.
    config("0000:01:00.0", std::string("\xde\x10\x07\x1e", 4));
    config("0000:01:00.1", std::string(64, '\xff'));
    CHECK(read_presence(root.path.string(), *parse_pci_address("01:00.0")) == Presence::answers);
    CHECK(read_presence(root.path.string(), *parse_pci_address("01:00.1")) == Presence::absent);
    CHECK(read_presence(root.path.string(), *parse_pci_address("01:00.2")) == Presence::unknown);  // no config file here
    auto inspection = inspect_passthrough(root.path.string(), addrs({"01:00.0", "01:00.1", "01:00.2", "01:00.3"}));
    for (const auto& force : {ForceBind{}, ForceBind::all()}) {
        auto problems = inspection.problems(force);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].what.find("0000:01:00.1 does not answer: its configuration space reads 0xffff") == 0);
        CHECK(problems[0].where == "0000:01:00.1");
        CHECK(problems[0].fix.find("reboot") != std::string::npos);
    }
    // Binding checks first: nothing is touched.
    Journal journal(root / "journal");
    auto bound = bind_functions({root.path.string(), addrs({"01:00.0", "01:00.1"}), {}, {}, ForceBind::all(), std::nullopt}, journal);
    CHECK_FALSE(bound.ok());
    CHECK_FALSE(journal.exists());
}

TEST_CASE("refusals: the NVMe holding / and the NIC of the default route; the other drives are free") {
    TempDir root;
    sim_dl360(root.path.string());
    add_mounted_nvme(root.path.string(), "0000:5e:00.0", 0, "/");
    add_default_route_nic(root.path.string(), "0000:86:00.0", "eno1");
    auto problems = inspect_passthrough(root.path.string(), addrs({"5e:00.0", "5f:00.0", "86:00.0"})).problems();
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].what == "0000:5e:00.0 holds a mounted filesystem: / on /dev/nvme0n1p2 (partition of nvme0n1)");
    CHECK(problems[1].what == "0000:86:00.0 is eno1, the interface of the host's default route");
    CHECK(inspect_passthrough(root.path.string(), addrs({"5f:00.0"})).problems().empty());
}

TEST_CASE("refusals: --force-bind of one kind overrides that kind only; the fix names the kind") {
    TempDir root;
    sim_dl360(root.path.string());
    add_mounted_nvme(root.path.string(), "0000:5e:00.0", 0, "/");
    add_default_route_nic(root.path.string(), "0000:86:00.0", "eno1");
    auto inspection = inspect_passthrough(root.path.string(), addrs({"5e:00.0", "86:00.0"}));
    std::string error;
    auto gpu_only = parse_force_bind("gpu-holders", error);
    REQUIRE(gpu_only);
    auto problems = inspection.problems(*gpu_only);
    REQUIRE(problems.size() == 2);  // a GPU-holder override takes no disk and no uplink
    CHECK(problems[0].fix.find("--force-bind=disk") != std::string::npos);
    CHECK(problems[1].fix.find("--force-bind=default-route") != std::string::npos);
    auto disk = parse_force_bind("disk", error);
    REQUIRE(disk);
    problems = inspection.problems(*disk);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].what == "0000:86:00.0 is eno1, the interface of the host's default route");
    REQUIRE(inspection.forced(*disk).size() == 1);
    CHECK(inspection.forced(*disk)[0].address.str() == "0000:5e:00.0");
    auto both = parse_force_bind("disk,default-route", error);
    REQUIRE(both);
    CHECK(inspection.problems(*both).empty());
    CHECK(parse_force_bind("", error)->everything());
    CHECK_FALSE(parse_force_bind("gpu", error));
    CHECK(error == "--force-bind takes console, disk, default-route, gpu-holders (comma-separated), or nothing for all of them; got 'gpu'");
}

TEST_CASE("refusals: vfio-pci not loaded, and group problems come with their fixes") {
    TempDir root;
    sim_amd_990fx(root.path.string());
    fs::remove_all(root.path / "sys/bus/pci/drivers/vfio-pci");
    auto problems = inspect_passthrough(root.path.string(), addrs({"01:00.0", "01:00.1", "00:12.0"})).problems();
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].what == "IOMMU group 5 of 0000:00:12.0 also holds 0000:00:12.2 [1002:4396] (driver ehci-pci)");
    CHECK(problems[0].fix == "a group passes whole: add '- host: 0000:00:12.2' to passthrough");
    CHECK(problems[1].what == "the vfio-pci driver is not loaded");
}

TEST_CASE("release: a device given back after an unplug is settled, so the VM's final replay leaves it to its new owner") {
    TempDir root, state;
    sim_dl360(root.path.string());
    SimKernel kernel(root.path.string());
    Journal journal(state / "journal");
    auto inspection = inspect_passthrough(root.path.string(), addrs({"5f:00.0", "86:00.0"}));
    REQUIRE(testing::failure_text(bind_passthrough(root.path.string(), inspection.expansion, journal)) == "");
    auto back = release_device(journal, "0000:5f:00.0");
    REQUIRE(back.kind == UndoOutcome::Kind::done);
    CHECK(back.text == "0000:5f:00.0 back on nvme");
    CHECK(driver(root, "0000:5f:00.0") == "nvme");
    // Someone else (another VM) takes it now; this VM's teardown must not take it back.
    Journal other(state / "other-journal");
    REQUIRE(testing::failure_text(bind_passthrough(root.path.string(), inspect_passthrough(root.path.string(), addrs({"5f:00.0"})).expansion, other)) == "");
    auto report = make_restorer({}).restore(journal);
    CHECK(report.ok());
    REQUIRE(report.undone.size() == 1);
    CHECK(report.undone[0] == "0000:86:00.0 back on nvidia");
    CHECK(driver(root, "0000:5f:00.0") == "vfio-pci");
    CHECK(make_restorer({}).restore(other).ok());
    CHECK(driver(root, "0000:5f:00.0") == "nvme");
    // A device vmrun never bound is left alone.
    Journal empty(state / "empty-journal");
    back = release_device(empty, "0000:60:00.0");
    CHECK(back.kind == UndoOutcome::Kind::left_alone);
    CHECK(back.text.find("left as it is") != std::string::npos);
}

TEST_CASE("binding for a VM that runs as another user hands that user the group's /dev/vfio node") {
    TempDir root, state;
    sim_dl360(root.path.string());
    SimKernel kernel(root.path.string());
    Journal journal(state / "journal");
    auto inspection = inspect_passthrough(root.path.string(), addrs({"86:00.0"}));
    REQUIRE(testing::failure_text(bind_passthrough(root.path.string(), inspection.expansion, journal, DeviceOwner{65534, 65534})) == "");
    struct stat st {};
    REQUIRE(::stat((root.path / "dev/vfio/79").c_str(), &st) == 0);
    CHECK(st.st_uid == 65534);
    CHECK(st.st_gid == 65534);
    CHECK(make_restorer({}).restore(journal).ok());
}
