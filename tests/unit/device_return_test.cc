// A device coming back from a VM: one reading 0xffff gets one remove +
// rescan; one that stays dead is reported with "a reboot is needed", and the
// display manager is not started on it; one that is back is reported with its
// driver and display node before the display manager starts.

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "host/display/display_handoff.h"
#include "host/pci/device_return.h"
#include "host/pci/vfio_binder.h"
#include "temp_dir.h"
#include "text_has.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const PciAddress kGpu = *parse_pci_address("0000:01:00.0");

// A GPU folder whose config space reads `vendor` (0xffff: gone), with the
// files remove and rescan write to.
struct GpuTree {
    TempDir root;
    fs::path dev = root.path / "sys/bus/pci/devices/0000:01:00.0";
    explicit GpuTree(uint16_t vendor) {
        fs::create_directories(dev);
        set_vendor(vendor);
        write_file(dev / "remove", "");
        write_file(root.path / "sys/bus/pci/rescan", "");
    }
    void set_vendor(uint16_t vendor) const {
        std::string config(64, '\0');
        config[0] = char(vendor & 0xff);
        config[1] = char(vendor >> 8);
        std::ofstream(dev / "config", std::ios::binary) << config;
    }
    std::string sysroot() const { return root.path.string(); }
};

}  // namespace

TEST_CASE("a function that answers is left alone; one reading 0xffff is removed and rescanned once, and named when it stays dead") {
    GpuTree alive(0x10de);
    auto fine = bring_back_if_dead(alive.sysroot(), kGpu);
    CHECK(fine.answers);
    CHECK_FALSE(fine.rescanned);
    CHECK(read_file(alive.dev / "remove") == "");

    GpuTree dead(0xffff);
    auto gone = bring_back_if_dead(dead.sysroot(), kGpu);
    CHECK_FALSE(gone.answers);
    CHECK(gone.rescanned);
    CHECK(read_file(dead.dev / "remove") == "1\n");
    CHECK(read_file(dead.root.path / "sys/bus/pci/rescan") == "1\n");
    CHECK(has(gone.text, "0000:01:00.0 did not come back: its configuration space read 0xffff; removed from the bus and rescanned"));
    CHECK(has(gone.text, "a reboot is needed"));
}

TEST_CASE("a virtual function, whose vendor id reads 0xffff by the specification, is judged by its PF and never rescanned") {
    GpuTree vf(0xffff);
    auto pf = vf.root.path / "sys/bus/pci/devices/0000:00:03.0";
    fs::create_directories(pf);
    std::string config(64, '\0');
    config[0] = char(0x86);
    config[1] = char(0x80);
    std::ofstream(pf / "config", std::ios::binary) << config;
    fs::create_directory_symlink("../0000:00:03.0", vf.dev / "physfn");
    auto judged = bring_back_if_dead(vf.sysroot(), kGpu);
    CHECK(judged.answers);
    CHECK_FALSE(judged.rescanned);
    CHECK(read_file(vf.dev / "remove") == "");
}

TEST_CASE("a GPU that the rescan brings back is reported as come back") {
    GpuTree tree(0xffff);
    // The stand-in for the kernel: the rescan powers the slot up.
    std::atomic<bool> stop{false};
    std::thread kernel([&] {
        while (!stop && read_file(tree.root.path / "sys/bus/pci/rescan").empty()) std::this_thread::sleep_for(5ms);
        tree.set_vendor(0x10de);
    });
    auto back = bring_back_if_dead(tree.sysroot(), kGpu);
    stop = true;
    kernel.join();
    CHECK(back.answers);
    CHECK(has(back.text, "0000:01:00.0 came back"));
}

TEST_CASE("the display manager is started only on a GPU that answers, after its driver's node is there, and says so") {
    TempDir trace_dir;
    auto trace = trace_dir / "trace";
    auto entry = [&](const GpuTree& t) {
        return nlohmann::json{{"key", "display-manager"}, {"start", {"/bin/sh", "-c", "echo start >> " + trace}},
                              {"sysroot", t.sysroot()}, {"gpu", "0000:01:00.0"}};
    };
    GpuTree dead(0xffff);
    CHECK(check_display_manager_entry(entry(dead)) == "");
    auto refused = start_display_manager(entry(dead));
    CHECK(refused.kind == UndoOutcome::Kind::failed);
    CHECK(has(refused.failure.what, "a reboot is needed; the display manager is not started on a missing GPU"));
    CHECK_FALSE(fs::exists(trace));

    GpuTree back(0x1002);
    fs::create_directories(back.root.path / "sys/bus/pci/drivers/amdgpu");
    fs::create_directory_symlink("../../../bus/pci/drivers/amdgpu", back.dev / "driver");
    fs::create_directories(back.dev / "drm/card1");
    fs::create_directories(back.root.path / "dev/dri");
    write_file(back.root.path / "dev/dri/card1", "");
    auto started = start_display_manager(entry(back));
    CHECK(started.kind == UndoOutcome::Kind::done);
    CHECK(has(started.text, "ran the display manager's start command"));
    CHECK(has(started.text, "0000:01:00.0 is back on amdgpu (/dev/dri/card1)"));
    CHECK(read_file(trace) == "start\n");

    auto bad = entry(back);
    bad["gpu"] = "../../etc";
    CHECK(check_display_manager_entry(bad) == "no valid GPU address");
}

TEST_CASE("a device vfio-pci gives back reading 0xffff: removed and rescanned, and the undo fails with why when it stays dead") {
    GpuTree tree(0xffff);
    fs::create_directories(tree.root.path / "sys/bus/pci/drivers/vfio-pci");
    write_file(tree.root.path / "sys/bus/pci/drivers/vfio-pci/unbind", "");
    write_file(tree.dev / "driver_override", "vfio-pci\n");
    write_file(tree.root.path / "sys/bus/pci/drivers_probe", "");
    // Left as vmrun leaves it, except that the unbind already happened (no driver now).
    nlohmann::json args{{"key", "pci:0000:01:00.0"}, {"sysroot", tree.sysroot()}, {"address", "0000:01:00.0"},
                        {"driver", ""}, {"driver_override", ""}};
    auto outcome = restore_pci_driver(args);
    CHECK(outcome.kind == UndoOutcome::Kind::failed);
    CHECK(has(outcome.failure.what, "did not come back"));
    CHECK(has(outcome.failure.what, "vmrun refuses to start a VM with it until it answers again"));
    CHECK(read_file(tree.dev / "remove") == "1\n");
}
