// The firmware framebuffer in a passed GPU's BAR: /proc/iomem read as the
// kernel writes it (simpledrm and efifb kernels), found inside the BAR, refused
// without host_display, and with it released and checked released.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "failure_text.h"
#include "host/display/boot_framebuffer.h"
#include "host/display/display_handoff.h"
#include "host/host_restore.h"
#include "host/journal.h"
#include "profile_fixture.h"
#include "temp_dir.h"
#include "text_has.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

// A desktop on a simpledrm kernel: the RTX 2080 Ti's BAR 1 (256 MiB at
// 0xe0000000) holds the boot picture, registered as BOOTFB with simpledrm's
// claim inside it. Indented two spaces a level, as the kernel prints it.
const char* kSimpledrmIomem =
    "00000000-00000fff : Reserved\n"
    "c0000000-fec7ffff : PCI Bus 0000:00\n"
    "  de000000-df0fffff : PCI Bus 0000:01\n"
    "    de000000-deffffff : 0000:01:00.0\n"
    "  e0000000-f1ffffff : PCI Bus 0000:01\n"
    "    e0000000-efffffff : 0000:01:00.0\n"
    "      e0000000-e07e8fff : BOOTFB\n"
    "        e0000000-e07e8fff : simpledrm\n"
    "    f0000000-f1ffffff : 0000:01:00.0\n";

const char* kResource =
    "0x00000000de000000 0x00000000deffffff 0x0000000000040200\n"
    "0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n"
    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
    "0x00000000f0000000 0x00000000f1ffffff 0x000000000014220c\n";

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("/proc/iomem: nested ranges read; the framebuffer's found inside the GPU's BAR, not outside") {
    auto iomem = parse_iomem(kSimpledrmIomem);
    REQUIRE(iomem.size() == 9);
    CHECK(iomem[6].name == "BOOTFB");
    CHECK(iomem[6].start == 0xe0000000);
    CHECK(iomem[6].end == 0xe07e8fff);
    auto claims = framebuffer_claims(iomem, parse_pci_resource(kResource));
    REQUIRE(claims.size() == 2);
    CHECK(claims[0].name == "BOOTFB");
    CHECK(claims[0].bar == 1);
    CHECK(claims[1].name == "simpledrm");
    CHECK(describe_claims(claims) == "BOOTFB 0xe0000000-0xe07e8fff in BAR 1, simpledrm 0xe0000000-0xe07e8fff in BAR 1");
    // Another GPU's BARs do not hold it.
    CHECK(framebuffer_claims(iomem, parse_pci_resource("0x00000000c0000000 0x00000000cfffffff 0x0000000000040200\n")).empty());
    // As non-root the kernel prints zeros: nothing can be told, nothing is claimed.
    CHECK(framebuffer_claims(parse_iomem("00000000-00000000 : BOOTFB\n"), parse_pci_resource(kResource)).empty());
}

TEST_CASE("the handover releases the framebuffer and stops the start when its memory is still held in the BAR") {
    TempDir root;
    auto dev = root.path / "sys/bus/pci/devices/0000:01:00.0";
    write_text(dev / "boot_vga", "1\n");
    write_text(dev / "resource", kResource);
    write_text(root.path / "proc/iomem", kSimpledrmIomem);
    auto drv = root.path / "sys/bus/platform/drivers/simple-framebuffer";
    fs::create_directories(drv / "simple-framebuffer.0");
    write_text(drv / "unbind", "");
    write_text(drv / "bind", "");
    auto trace = root / "trace";
    auto profile = [&](const std::string& stop) {
        return "name: g\nmemory: 1G\npassthrough:\n  - 01:00.0\nhost_display:\n  stop: [/bin/sh, -c, '" + stop +
               "']\n  start: [/bin/sh, -c, 'true']\n";
    };
    auto facts = fixed_facts("g");
    facts.sysroot = root.path.string();

    // simpledrm's kernel: unbinding leaves BOOTFB in the BAR.
    {
        auto p = run_pipeline(profile("true"), "/vm", facts);
        REQUIRE(p.errors().empty());
        Journal journal(root / "journal");
        auto failure = hand_over_display(*p.planned.plan, journal);
        REQUIRE(failure);
        CHECK(has(failure->what, "the firmware framebuffer still holds memory of 0000:01:00.0 after its driver was unbound "
                                 "(BOOTFB 0xe0000000-0xe07e8fff in BAR 1"));
        CHECK(has(failure->fix, "initcall_blacklist=sysfb_init"));
        CHECK(has(read_file(drv / "unbind"), "simple-framebuffer.0"));  // released before it looked
        // The journal holds the release for the replay to undo.
        bool journaled = false;
        for (const auto& e : journal.read().entries) journaled |= e.action == "framebuffer";
        CHECK(journaled);
        fs::remove(root / "journal");
    }
    // efifb's kernel: the range goes with the driver (the stand-in for the kernel clears it as the release runs).
    {
        write_text(drv / "unbind", "");
        auto p = run_pipeline(profile("printf \"%s\" \"c0000000-fec7ffff : PCI Bus 0000:00\\n\" > " + (root.path / "proc/iomem").string()),
                              "/vm", facts);
        REQUIRE(p.errors().empty());
        Journal journal(root / "journal");
        CHECK(failure_text(hand_over_display(*p.planned.plan, journal)) == "");
    }
}

TEST_CASE("the framebuffer is not bound again over a GPU its own driver drives again (no ghost card)") {
    TempDir root;
    auto drv = root.path / "sys/bus/platform/drivers/simple-framebuffer";
    fs::create_directories(drv);
    write_text(drv / "bind", "");
    fs::create_directories(root.path / "sys/bus/platform/devices/simple-framebuffer.0");
    auto gpu = root.path / "sys/bus/pci/devices/0000:01:00.0";
    fs::create_directories(gpu);
    fs::create_directories(root.path / "sys/bus/pci/drivers/nvidia");
    nlohmann::json entry = {{"sysroot", root.path.string()}, {"driver", "simple-framebuffer"}, {"device", "simple-framebuffer.0"},
                            {"gpu", "0000:01:00.0"}, {"left", {{"driver", ""}}}};
    CHECK(check_framebuffer_entry(entry) == "");

    // nvidia is back on the GPU (without fbdev it left the framebuffer's device in place).
    fs::create_directory_symlink("../../../bus/pci/drivers/nvidia", gpu / "driver");
    auto kept = rebind_framebuffer(entry);
    CHECK(has(kept.text, "left the firmware framebuffer simple-framebuffer.0 unbound: nvidia drives 0000:01:00.0 again"));
    CHECK(read_file(drv / "bind") == "");
    // The GPU on no driver: the console needs the firmware framebuffer back.
    fs::remove(gpu / "driver");
    rebind_framebuffer(entry);
    CHECK(read_file(drv / "bind") == "simple-framebuffer.0\n");

    entry["gpu"] = "not-an-address";
    CHECK(check_framebuffer_entry(entry) == "no valid GPU address");
}
