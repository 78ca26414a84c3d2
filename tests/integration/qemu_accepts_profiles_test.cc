// The real QEMU accepts what we build: every example profile's argv, with
// host-only parts swapped for same-shaped stand-ins (emulated devices for
// vfio-pci, scratch images for disks, user networking for taps), starts
// paused and answers QMP.

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "example_profiles.h"
#include "host/cpu/cpu_affinity.h"
#include "qmp/client.h"
#include "run/firmware_vars.h"
#include "profile/profile_file.h"
#include "plan/qemu_argv.h"
#include "plan/qemu_option.h"
#include "plan/swtpm_argv.h"
#include "qemu_process.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace std::chrono_literals;
using vmrun::testing::TempDir;

namespace {

const std::string kSource = VMRUN_SOURCE_DIR;

// A vfio-pci device becomes an emulated one at the same bus, address and
// multifunction setting: a VGA-class device where x-vga was asked for, a PCIe
// NIC for every other function.
std::string stand_in_for_vfio(const std::string& device) {
    auto parts = parse_option(device).props;
    bool vga = false;
    std::string out;
    for (auto& [k, v] : parts)
        if (k == "x-vga" && v == "on") vga = true;
    out = vga ? "VGA" : "e1000e";
    for (auto& [k, v] : parts)
        if (k == "id" || k == "bus" || k == "addr" || k == "multifunction") out += "," + k + "=" + v;
    return out;
}

void create_image(const std::string& path, DiskFormat format) {
    std::vector<std::string> argv = {"qemu-img", "create", "-q", "-f", format == DiskFormat::qcow2 ? "qcow2" : "raw", path, "16M"};
    boost::process::child c(boost::process::search_path("qemu-img"), std::vector<std::string>(argv.begin() + 1, argv.end()));
    c.wait();
    REQUIRE(c.exit_code() == 0);
}

// Host-only parts of a profile made safe for this machine, shape kept.
void use_stand_ins(Profile& p, const TempDir& dir, const std::string& accel) {
    int n = 0;
    for (auto& d : p.disks) {
        d.path = dir / ("disk" + std::to_string(n++) + (d.format == DiskFormat::qcow2 ? ".qcow2" : ".img"));
        create_image(d.path, d.format);
    }
    for (auto& nic : p.nics) {
        nic.type = NicType::user;
        nic.bridge.clear();
        nic.tap.clear();
    }
    for (auto& x : p.passthrough) x.romfile.clear();
    // The same card in the same slot, playing nowhere: this machine has no desktop user's sound server.
    if (p.audio) p.audio = Audio{AudioBackend::none, p.audio->model};
    // Same backend type, in a plain folder, small and not preallocated: the
    // test must not need 64 GiB of hugepages.
    if (p.hugepages) p.hugepages->path = dir.path.string();
    p.memory_mib = std::min<uint64_t>(p.memory_mib, 512);
    if (accel == "tcg" && p.accelerator == Accelerator::kvm) {
        p.accelerator = Accelerator::tcg;
        auto pin = p.cpu.pin;
        p.cpu = Cpu{};
        p.cpu.model = "max";
        // Kept, on CPUs this machine has: the prealloc threads' thread-context
        // is then part of what QEMU must accept.
        if (pin) {
            auto online = vmrun::online_cpus("/").value_or(std::vector<int>{0});
            for (size_t i = 0; i < pin->vcpus.size(); ++i) pin->vcpus[i] = online[i % online.size()];
            pin->emulator = {online.front()};
            p.cpu.pin = pin;
        }
    }
}

std::vector<std::string> runnable_argv(const LaunchPlan& plan) {
    auto argv = build_qemu_argv(plan);
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
        if (argv[i] == "-device" && argv[i + 1].rfind("vfio-pci,", 0) == 0) argv[i + 1] = stand_in_for_vfio(argv[i + 1]);
        // usb-host by vendor:product waits for the device; by bus.addr QEMU
        // insists it exists now, so that one becomes a USB keyboard.
        if (argv[i] == "-device" && argv[i + 1].rfind("usb-host,", 0) == 0 && argv[i + 1].find("hostbus=") != std::string::npos) {
            std::string out = "usb-kbd";
            for (auto& [k, v] : parse_option(argv[i + 1]).props)
                if (k == "id" || k == "bus") out += "," + k + "=" + v;
            argv[i + 1] = out;
        }
        if (argv[i] == "-object" && argv[i + 1].rfind("memory-backend-file,", 0) == 0) {
            auto& v = argv[i + 1];
            if (auto at = v.find("prealloc=on"); at != std::string::npos) v.replace(at, 11, "prealloc=off");
        }
    }
    // The keyboard and mouse stay; their evdev devices are the desk's, which this
    // machine lacks (the emulated-IOMMU guest's input suite gives QEMU real ones).
    for (size_t i = 0; i + 1 < argv.size();)
        if (argv[i] == "-object" && argv[i + 1].rfind("input-linux,", 0) == 0) argv.erase(argv.begin() + i, argv.begin() + i + 2);
        else ++i;
    argv.push_back("-S");
    return argv;
}

}  // namespace

TEST_CASE("QEMU starts every example profile paused and answers QMP") {
    std::string accel = vmrun::testing::test_accelerator();
    MESSAGE("accelerator for the paused starts: " << accel);
    for (const auto& name : vmrun::testing::example_profiles()) {
        CAPTURE(name);
        TempDir dir;
        auto file = read_profile_file(kSource + "/profiles/" + name + ".yaml");
        REQUIRE_FALSE(file.loaded.diagnostics.has_errors());
        Profile profile = file.loaded.profile;
        if (profile.kernel)
            REQUIRE_MESSAGE(std::filesystem::exists(profile.kernel->image),
                            "the tiny guest is not built: run scripts/build-tiny-guest.sh");
        use_stand_ins(profile, dir, accel);

        HostFacts facts;
        facts.qemu_binary = vmrun::testing::qemu_binary();
        facts.paths = {"profile", dir / "run", dir / "state"};
        facts.shm_dir = dir.path.string();  // Looking Glass's file, never the host's /dev/shm
        std::filesystem::create_directories(facts.paths.runtime_dir);
        std::filesystem::create_directories(facts.paths.state_dir);
        auto planned = make_launch_plan(profile, facts);
        REQUIRE(planned.plan);
        auto vars = prepare_firmware_vars(planned.plan->firmware);
        REQUIRE_MESSAGE(vars.ok(), (vars.failure ? vars.failure->text() : ""));

        // A TPM is no stand-in: the real swtpm, started as vmrun starts it.
        boost::process::child swtpm;
        if (auto swtpm_argv = build_swtpm_argv(*planned.plan); !swtpm_argv.empty()) {
            std::filesystem::create_directories(planned.plan->paths().tpm_state_dir());
            swtpm = boost::process::child(boost::process::search_path(swtpm_argv[0]),
                                          std::vector<std::string>(swtpm_argv.begin() + 1, swtpm_argv.end()));
            for (int i = 0; i < 500 && !std::filesystem::exists(planned.plan->paths().swtpm_socket()); ++i)
                std::this_thread::sleep_for(10ms);
            REQUIRE_MESSAGE(std::filesystem::exists(planned.plan->paths().swtpm_socket()), "swtpm did not start");
        }

        auto argv = runnable_argv(*planned.plan);
        vmrun::testing::QemuProcess qemu(argv, dir / "qemu.log");
        bool up = vmrun::testing::wait_for_path(planned.plan->paths().qmp_socket(), qemu, 20s);
        INFO("QEMU output:\n" << qemu.output());
        REQUIRE(up);

        qmp::Client client;
        auto ec = client.connect_unix(planned.plan->paths().qmp_socket());
        REQUIRE_MESSAGE(!ec, ec.message() << " " << client.failure_detail());
        auto status = client.execute("query-status");
        REQUIRE_MESSAGE(status, status.describe());
        CHECK(status.value["status"] == "prelaunch");

        // Every device the plan named exists in QEMU under its id.
        auto listed = client.execute("qom-list", {{"path", "/machine/peripheral"}});
        REQUIRE(listed);
        std::set<std::string> ids;
        for (const auto& e : listed.value) ids.insert(e["name"].get<std::string>());
        for (const auto& rp : planned.plan->root_ports) CHECK(ids.count(rp.id));
        for (const auto& pp : planned.plan->passthrough) CHECK(ids.count(pp.device.id));
        for (const auto& d : planned.plan->disks) CHECK(ids.count(d.disk.id));
        for (const auto& n : planned.plan->nics) CHECK(ids.count(n.nic.id));
        for (const auto& u : planned.plan->usb) CHECK(ids.count(u.device.id));

        // Devices the profile placed on pcie.0 itself (guest_address) are where it said.
        auto pci = client.execute("query-pci");
        REQUIRE(pci);
        for (const auto& pp : planned.plan->passthrough) {
            if (pp.at.bus != "pcie.0") continue;
            CAPTURE(pp.device.id);
            bool found = false;
            for (const auto& dev : pci.value[0]["devices"])
                if (dev.value("qdev_id", "") == pp.device.id) {
                    found = true;
                    CHECK(dev["slot"] == pp.at.slot);
                    CHECK(dev["function"] == pp.at.function);
                }
            CHECK(found);
        }

        if (planned.plan->profile.tpm) {
            auto tpm = client.execute("query-tpm");
            REQUIRE_MESSAGE(tpm, tpm.describe());
            REQUIRE(tpm.value.size() == 1);
            CHECK(tpm.value[0]["model"] == (planned.plan->profile.tpm->model == TpmModel::crb ? "tpm-crb" : "tpm-tis"));
            CHECK(tpm.value[0]["options"]["type"] == "emulator");
        }

        CHECK(client.execute("quit"));
        CHECK(qemu.wait_exit(10s) == 0);
        if (swtpm.valid()) swtpm.wait();  // --terminate: it ends with QEMU's connection
    }
}
