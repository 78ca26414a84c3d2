// x_vga needs vfio-pci's VGA region: a kernel without CONFIG_VFIO_PCI_VGA, or
// vfio-pci loaded (or configured to load) with disable_vga=1, has none, and
// QEMU then refuses x-vga. Each source of the answer on a simulated root.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "host/pci/vga_region.h"
#include "temp_dir.h"

using namespace vmrun;
using vmrun::testing::TempDir;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

const PciAddress kVgaGpu = *parse_pci_address("01:00.0");

}  // namespace

TEST_CASE("vga region: vfio-pci loaded; its disable_vga parameter decides, its absence means no CONFIG_VFIO_PCI_VGA") {
    TempDir root;
    auto params = root.path / "sys/module/vfio_pci/parameters";
    write(params / "ids", "\n");
    auto missing = vga_region_problem(root.path.string(), kVgaGpu, "win7.yaml");
    REQUIRE(missing);
    CHECK(missing->what.find("built without CONFIG_VFIO_PCI_VGA") != std::string::npos);
    CHECK(missing->what.find("QEMU refuses x_vga for 0000:01:00.0") != std::string::npos);
    CHECK(missing->fix.find("remove x_vga from win7.yaml") == 0);
    write(params / "disable_vga", "N\n");
    CHECK_FALSE(vga_region_problem(root.path.string(), kVgaGpu, "win7.yaml"));
    write(params / "disable_vga", "Y\n");
    auto disabled = vga_region_problem(root.path.string(), kVgaGpu, "win7.yaml");
    REQUIRE(disabled);
    CHECK(disabled->what.find("vfio-pci runs with disable_vga=1") == 0);
    CHECK(disabled->where == (params / "disable_vga").string());
    CHECK(disabled->fix.find("modprobe -r vfio-pci") != std::string::npos);
}

TEST_CASE("vga region: vfio-pci not loaded yet; what would load it with disable_vga=1 is found") {
    TempDir root;
    CHECK_FALSE(vga_region_problem(root.path.string(), kVgaGpu, "p.yaml"));  // nothing known against it
    write(root.path / "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on\n");
    write(root.path / "etc/modprobe.d/vfio.conf", "options vfio-pci ids=10de:1e07 disable_vga=0\nsoftdep nvidia pre: vfio-pci\n");
    CHECK_FALSE(vga_region_problem(root.path.string(), kVgaGpu, "p.yaml"));
    write(root.path / "etc/modprobe.d/zz-local.conf", "# hand-made\noptions vfio_pci disable_vga=1\n");
    auto file = vga_region_problem(root.path.string(), kVgaGpu, "p.yaml");
    REQUIRE(file);
    CHECK(file->where == (root.path / "etc/modprobe.d/zz-local.conf").string());
    CHECK(file->fix.find("take disable_vga=1 out of") != std::string::npos);
    fs::remove(root.path / "etc/modprobe.d/zz-local.conf");
    write(root.path / "proc/cmdline", "BOOT_IMAGE=/vmlinuz vfio-pci.ids=10de:1e07 vfio-pci.disable_vga=1 quiet\n");
    auto cmdline = vga_region_problem(root.path.string(), kVgaGpu, "p.yaml");
    REQUIRE(cmdline);
    CHECK(cmdline->what.find("the kernel's command line loads vfio-pci with disable_vga=1") == 0);
}
