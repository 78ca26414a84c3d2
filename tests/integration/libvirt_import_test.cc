// vmrun import libvirt: the example profiles exported and imported back give
// the same QEMU command line (and the same XML again); a domain as
// virt-manager writes it for a GPU passthrough imports into a valid profile
// that places the GPU as vmrun does, each thing it leaves out named. Whether
// a real libvirtd takes the export, and what it gives back, is
// scripts/libvirt-export-test.sh.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "example_profiles.h"
#include "text_has.h"
#include "run_vmrun.h"
#include "temp_dir.h"

using namespace vmrun::testing;

namespace {


// The XML without its first comment line difference: the importer's header names the source file.

}  // namespace

TEST_CASE("libvirt round trip: each example profile exported and imported gives the same QEMU command line") {
    TempDir dir;
    for (const auto& name : vmrun::testing::example_profiles()) {
        CAPTURE(name);
        std::string profile = std::string(VMRUN_SOURCE_DIR) + "/profiles/" + name + ".yaml";
        auto exported = run_vmrun({}, {"export", "libvirt", profile});
        REQUIRE(exported.exit_code == 0);
        write_file(dir / "vm.xml", exported.out);
        auto imported = run_vmrun({}, {"import", "libvirt", dir / "vm.xml"});
        INFO(imported.err);
        REQUIRE(imported.exit_code == 0);
        write_file(dir / "vm.yaml", imported.out);
        auto valid = run_vmrun({}, {"validate", dir / "vm.yaml"});
        INFO(imported.out << valid.err);
        CHECK(valid.exit_code == 0);
        auto original = nlohmann::json::parse(run_vmrun({}, {"dry-run", profile, "--json"}).out);
        auto back = nlohmann::json::parse(run_vmrun({}, {"dry-run", dir / "vm.yaml", "--json"}).out);
        CHECK(original == back);
        // Nothing the export wrote is lost on the way back: the XML comes out again as it went in.
        CHECK(run_vmrun({}, {"export", "libvirt", dir / "vm.yaml"}).out == exported.out);
    }
}

TEST_CASE("libvirt import: a virt-manager GPU domain becomes a valid profile, each thing left out named") {
    TempDir dir;
    std::string xml = std::string(VMRUN_SOURCE_DIR) + "/tests/data/libvirt/virt-manager-win10-gpu.xml";
    auto imported = run_vmrun({}, {"import", "libvirt", xml});
    INFO(imported.out << imported.err);
    REQUIRE(imported.exit_code == 0);
    write_file(dir / "win10.yaml", imported.out);
    auto valid = run_vmrun({}, {"validate", dir / "win10.yaml"});
    INFO(valid.err);
    CHECK(valid.exit_code == 0);
    // x-vga came from '-set device.hostdev0.x-vga=on' and is not left in qemu_extra_args.
    CHECK(has(imported.out, "  - host: \"0000:01:00.0\"\n    x_vga: true\n"));
    CHECK_FALSE(has(imported.out, "qemu_extra_args"));
    CHECK(has(imported.out, "    vcpus: [2, 8, 3, 9, 4, 10, 5, 11]\n    emulator: [0, 1, 6, 7]\n"));
    // The sound card is kept; SPICE's audio is not vmrun's, so it plays nowhere.
    CHECK(has(imported.out, "audio:\n  backend: none\n"));
    for (const char* left_out : {"<audio type='spice'>", "<channel type='spicevmc'>", "<redirdev type='spicevmc'>",
                                 "<input type='tablet'>", "<interface type='network'>", "<nvram>"})
        CHECK_MESSAGE(has(imported.err, left_out), left_out);
    // <pm> without S3/S4 and <timer name='hpet' present='no'> have keys of their own.
    CHECK(has(imported.out, "\nhpet: false\nguest_sleep: false\n"));
    CHECK(has(imported.err, "vmrun's hyperv: true also turns on <stimer><direct>"));
    // The GPU and its audio share one guest slot behind one root port, as vmrun places them.
    auto argv = run_vmrun({}, {"dry-run", dir / "win10.yaml"}).out;
    CHECK(has(argv, "vfio-pci,host=0000:01:00.0,id=hostdev0,bus=rp1,addr=0x0.0x0,multifunction=on,x-vga=on"));
    CHECK(has(argv, "vfio-pci,host=0000:01:00.1,id=hostdev1,bus=rp1,addr=0x0.0x1"));
}

TEST_CASE("libvirt import: what is not a domain is refused with where") {
    TempDir dir;
    write_file(dir / "broken.xml", "<domain type='kvm'>\n  <name>x</name>\n  <devices>\n</domain>\n");
    auto broken = run_vmrun({}, {"import", "libvirt", dir / "broken.xml"});
    CHECK(broken.exit_code == 65);
    CHECK(has(broken.err, dir / "broken.xml"));
    CHECK(has(broken.err, "not XML"));
    CHECK(broken.out.empty());
    write_file(dir / "net.xml", "<network><name>default</name></network>\n");
    auto network = run_vmrun({}, {"import", "libvirt", dir / "net.xml"});
    CHECK(network.exit_code == 65);
    CHECK(has(network.err, "not a libvirt domain"));
    CHECK(run_vmrun({}, {"import", "vmware", dir / "net.xml"}).exit_code == 64);
    CHECK(run_vmrun({}, {"import", "libvirt", dir / "missing.xml"}).exit_code == 64);
}

TEST_CASE("libvirt import: XML nested or sized past the limits is refused with a message, never a signal") {
    TempDir dir;
    std::string deep = "<domain><name>x</name>";
    for (int i = 0; i < 100000; ++i) deep += "<a>";
    for (int i = 0; i < 100000; ++i) deep += "</a>";
    write_file(dir / "deep.xml", deep + "</domain>\n");
    auto nested = run_vmrun({}, {"import", "libvirt", dir / "deep.xml"});
    CHECK(nested.exit_code == 65);
    CHECK(has(nested.err, "elements nested more than 64 deep"));
    CHECK(nested.out.empty());

    // Over the limit by more than the reader's chunk: refused without reading all of it.
    std::string huge = "<domain><name>x</name><description>" + std::string(17 << 20, 'x') + "</description></domain>\n";
    write_file(dir / "huge.xml", huge);
    auto big = run_vmrun({}, {"import", "libvirt", dir / "huge.xml"});
    CHECK(big.exit_code == 65);
    CHECK(has(big.err, "over 16 MiB, the most 'vmrun import libvirt' reads"));
    CHECK(big.out.empty());
}

TEST_CASE("libvirt import: a newline in a value does not add a key to the profile") {
    TempDir dir;
    write_file(dir / "vm.xml",
               "<domain type='kvm'><name>v</name><memory unit='MiB'>512</memory><vcpu>2</vcpu>"
               "<description>hi&#10;acpi_tables: [/etc/shadow]</description>"
               "<cpu mode='host-passthrough'><topology sockets='1' cores='2&#10;acpi_tables: [/etc/shadow]' threads='1'/></cpu>"
               "</domain>\n");
    auto imported = run_vmrun({}, {"import", "libvirt", dir / "vm.xml"});
    INFO(imported.out << imported.err);
    REQUIRE(imported.exit_code == 0);
    CHECK_FALSE(has("\n" + imported.out, "\nacpi_tables"));
    CHECK(has(imported.err, "vmrun: import: <cpu><topology cores='2\\nacpi_tables: [/etc/shadow]'>: not a count"));
    write_file(dir / "vm.yaml", imported.out);
    auto valid = run_vmrun({}, {"validate", dir / "vm.yaml"});
    INFO(valid.err);
    CHECK(valid.exit_code == 0);
}
