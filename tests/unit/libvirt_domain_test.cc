// The libvirt export as text: what only the exporter decides (bus numbering,
// aliases, escaping, the warnings for what libvirt cannot say). That libvirt
// accepts it and places devices as vmrun does is scripts/libvirt-export-test.sh.

#include <doctest/doctest.h>

#include "text_has.h"
#include "libvirt/domain_export.h"
#include "libvirt/domain_import.h"
#include "profile_fixture.h"

using namespace vmrun;
using namespace vmrun::testing;

namespace {


bool warned(const LibvirtDomain& d, const std::string& part) {
    for (const auto& w : d.warnings)
        if (has(w, part)) return true;
    return false;
}

LibvirtDomain export_of(const std::string& yaml) {
    auto p = run_pipeline(yaml);
    REQUIRE(p.errors().empty());
    REQUIRE(p.planned.plan);
    return export_libvirt_domain(*p.planned.plan, "/usr/bin/qemu-system-x86_64");
}

}  // namespace

TEST_CASE("libvirt export: a GPU behind root port 1 is on libvirt's bus 1, x-vga through qemu:override by alias") {
    auto d = export_of("name: gpu\nmemory: 4G\npassthrough:\n  - {host: \"01:00.0\", id: gpu, x_vga: true}\n"
                       "  - {host: \"01:00.1\", id: gpu.audio}\n");
    CHECK(has(d.xml, "<controller type='pci' index='1' model='pcie-root-port'>"));
    CHECK(has(d.xml, "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0' multifunction='on'/>"));
    CHECK(has(d.xml, "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>"));
    CHECK(has(d.xml, "<alias name='ua-gpu_audio'/>"));  // '.' is not a libvirt alias character
    CHECK(has(d.xml, "<qemu:device alias='ua-gpu'>"));
    CHECK(has(d.xml, "<qemu:property name='x-vga' type='bool' value='true'/>"));
    CHECK(has(d.xml, "<hostdev mode='subsystem' type='pci' managed='yes'>"));
    CHECK(has(d.xml, "<memballoon model='none'/>"));
    CHECK(has(d.xml, "<controller type='usb' index='0' model='none'/>"));
}

TEST_CASE("libvirt export: values are XML-escaped, and what libvirt cannot say is warned about, never dropped silently") {
    auto d = export_of("name: odd\nmemory: 1G\nkernel: {image: \"/k/a&b<c>.img\", cmdline: \"console=ttyS0 x='1'\"}\n"
                       "network:\n  - {type: user, forwards: [\"2222:22\"]}\n"
                       "qemu_extra_args: [\"-device\", \"virtio-rng-pci\"]\nsandbox: true\n");
    CHECK(has(d.xml, "<kernel>/k/a&amp;b&lt;c&gt;.img</kernel>"));
    CHECK(has(d.xml, "<cmdline>console=ttyS0 x=&apos;1&apos;</cmdline>"));
    CHECK(has(d.xml, "<qemu:arg value='virtio-rng-pci'/>"));
    CHECK(warned(d, "forward tcp 127.0.0.1:2222 -> 22"));
    CHECK(warned(d, "qemu_extra_args"));
    CHECK(warned(d, "sandbox"));
}

TEST_CASE("libvirt import: units, vmrun's metadata under any prefix, and every element it cannot carry named") {
    auto imported = import_libvirt_domain(
        "<domain type='qemu'><name>u</name><memory unit='GiB'>3</memory><vcpu>2</vcpu>"
        "<metadata><v:profile xmlns:v='urn:vmrun:profile:1'><v:run-as>gamer</v:run-as><v:sandbox/></v:profile></metadata>"
        "<devices><watchdog model='i6300esb'/><rng model='virtio'/>"
        "<interface type='direct'><mac address='52:54:00:00:00:01'/></interface></devices></domain>",
        "u.xml");
    REQUIRE(imported.error.empty());
    CHECK(has(imported.yaml, "\nmemory: 3G\n"));
    CHECK(has(imported.yaml, "\naccelerator: tcg\n"));
    CHECK(has(imported.yaml, "\nsmp: 2\n"));
    CHECK(has(imported.yaml, "\nrun_as: gamer\n"));
    CHECK(has(imported.yaml, "\nsandbox: true\n"));
    std::string all;
    for (const auto& w : imported.warnings) all += w + "\n";
    CHECK(has(all, "<watchdog model='i6300esb'>: not carried over"));
    CHECK(has(all, "<rng model='virtio'>: not carried over"));
    CHECK(has(all, "<interface type='direct'>: not carried over"));

    CHECK(has(import_libvirt_domain("<domain><name>x</name><memory unit='KiB'>1572864</memory></domain>", "x.xml").yaml,
              "\nmemory: 1536M\n"));
    auto bad = import_libvirt_domain("<domain>\n<name>x</name>\n<devices>\n</domain>", "bad.xml");
    CHECK(has(bad.error, "bad.xml:4: not XML"));
}

TEST_CASE("libvirt: shared folders and the guest agent go out as <filesystem> and <channel>, and come back") {
    auto d = export_of("name: share\nmemory: 1G\nguest_agent: true\nshared_folders:\n  - {path: /srv/share, tag: share}\n"
                       "  - {path: /srv/isos, readonly: true}\n");
    CHECK(has(d.xml, "<source type='memfd'/>"));
    CHECK(has(d.xml, "<access mode='shared'/>"));
    CHECK(has(d.xml, "<filesystem type='mount' accessmode='passthrough'>"));
    CHECK(has(d.xml, "<driver type='virtiofs'/>"));
    CHECK(has(d.xml, "<source dir='/srv/share'/>"));
    CHECK(has(d.xml, "<target dir='share'/>"));
    CHECK_FALSE(has(d.xml, "/srv/isos"));  // libvirt 9 has no read-only virtiofs: named, not widened to read-write
    CHECK(warned(d, "shared folder 'isos' is read-only"));
    CHECK(has(d.xml, "<controller type='virtio-serial' index='0'>"));
    CHECK(has(d.xml, "<target type='virtio' name='org.qemu.guest_agent.0'/>"));

    auto back = import_libvirt_domain(d.xml, "share.xml");
    REQUIRE(back.error.empty());
    CHECK(has(back.yaml, "\nguest_agent: true\n"));
    CHECK(has(back.yaml, "shared_folders:\n  - path: /srv/share\n    tag: share\n"));
    for (const auto& w : back.warnings) {
        CHECK_FALSE(has(w, "memoryBacking"));
        CHECK_FALSE(has(w, "virtio-serial"));
    }
    auto ro = import_libvirt_domain("<domain><name>r</name><memory unit='GiB'>1</memory><devices>"
                                    "<filesystem type='mount'><driver type='virtiofs'/><source dir='/srv/r'/><target dir='r'/><readonly/></filesystem>"
                                    "<filesystem type='mount'><driver type='path'/><source dir='/srv/p'/><target dir='p'/></filesystem>"
                                    "</devices></domain>", "r.xml");
    CHECK(has(ro.yaml, "readonly: true"));
    std::string all;
    for (const auto& w : ro.warnings) all += w + "\n";
    CHECK(has(all, "<filesystem> p with driver 'path': vmrun shares folders through virtiofs only"));
}
