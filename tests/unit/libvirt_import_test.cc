// vmrun import libvirt on a domain XML from someone else: a value cannot
// become a key of the profile (the profile is emitted, not pasted), the
// reader stops at its limits with a message instead of overflowing the stack
// or memory, and what is dropped or changed is said in one warning line each.

#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <string>

#include "text_has.h"
#include "libvirt/domain_import.h"
#include "profile/profile_loader.h"

using namespace vmrun;

namespace {

const std::string kInjectedXml = "&#10;acpi_tables: [/etc/shadow]";
const std::string kInjected = "\nacpi_tables: [/etc/shadow]";


std::string all_warnings(const LibvirtImport& imported) {
    std::string all;
    for (const auto& w : imported.warnings) all += w + "\n";
    return all;
}

// The ways a value could have leaked into the profile's structure.
LoadedProfile check_no_injection(const LibvirtImport& imported) {
    INFO(imported.yaml);
    INFO(all_warnings(imported));
    REQUIRE(imported.error.empty());
    auto tree = YAML::Load(imported.yaml);
    REQUIRE(tree.IsMap());
    CHECK_FALSE(tree["acpi_tables"]);
    auto loaded = load_profile(imported.yaml, "imported.yaml", "/vm");
    CHECK(loaded.profile.acpi_tables.empty());
    for (const auto& d : loaded.diagnostics.all()) {
        CHECK_MESSAGE(d.message.rfind("unknown key", 0) != 0, d.message);
        CHECK_MESSAGE(!has(d.message, "appears twice"), d.message);
    }
    for (const auto& w : imported.warnings) CHECK_MESSAGE(!has(w, "\n"), w);  // one line each
    return loaded;
}

std::string domain(const std::string& inside) {
    return "<domain type='kvm'><name>v</name><memory unit='MiB'>512</memory><vcpu>4</vcpu>" + inside + "</domain>";
}

std::string vmrun_metadata(const std::string& inside) {
    return "<metadata><vmrun:profile xmlns:vmrun='urn:vmrun:profile:1'>" + inside + "</vmrun:profile></metadata>";
}

}  // namespace

TEST_CASE("libvirt import: a newline in <description> stays in the header comment") {
    for (const char* line_break : {"&#10;", "&#13;", "&#13;&#10;", "&#133;", "&#x2028;"}) {
        CAPTURE(line_break);
        auto imported = import_libvirt_domain(
            domain("<description>hello" + std::string(line_break) + "acpi_tables: [/etc/shadow]</description>"), "d.xml");
        check_no_injection(imported);
        CHECK(has(imported.yaml, "\n# hello\n# acpi_tables: [/etc/shadow]\nname: v\n"));
    }
    // Other control characters are no YAML text: spaces in the comment, and said so.
    auto imported = import_libvirt_domain(domain("<description>a&#x85;b\x7f" "c</description>"), "d.xml");
    check_no_injection(imported);
    CHECK(has(imported.yaml, "\n# a\n# b c\n"));
    CHECK(has(all_warnings(imported), "<description>: its control characters are spaces"));
}

TEST_CASE("libvirt import: a <topology> count that is not a number is dropped for <vcpu>, with a warning") {
    for (const char* attribute : {"sockets", "cores", "threads"}) {
        CAPTURE(attribute);
        auto imported = import_libvirt_domain(
            domain("<cpu mode='host-passthrough'><topology " + std::string(attribute) + "='2" + kInjectedXml + "'/></cpu>"),
            "t.xml");
        auto loaded = check_no_injection(imported);
        CHECK(loaded.profile.smp.cpus() == 4);
        CHECK(has(all_warnings(imported), "<cpu><topology " + std::string(attribute) +
                                              "='2\\nacpi_tables: [/etc/shadow]'>: not a count; smp: 4"));
    }
    auto good = import_libvirt_domain(domain("<cpu><topology sockets='1' dies='1' cores='2' threads='2'/></cpu>"), "t.xml");
    CHECK(has(good.yaml, "\nsmp:\n  sockets: 1\n  cores: 2\n  threads: 2\n"));
    CHECK(good.warnings.empty());
}

TEST_CASE("libvirt import: vmrun's metadata is kept verbatim as a string or dropped with a warning") {
    auto imported = import_libvirt_domain(
        domain(vmrun_metadata("<vmrun:run-as>gamer" + kInjectedXml + "</vmrun:run-as>"
                              "<vmrun:serial>stdio" + kInjectedXml + "</vmrun:serial>"
                              "<vmrun:shutdown-timeout>5" + kInjectedXml + "</vmrun:shutdown-timeout>"
                              "<vmrun:hotplug>native" + kInjectedXml + "</vmrun:hotplug>"
                              "<vmrun:display>gtk" + kInjectedXml + "</vmrun:display>"
                              "<vmrun:host-display unit='gdm" + kInjectedXml + "' timeout='3" + kInjectedXml +
                              "' stop='[\"systemctl\", \"stop\\nacpi_tables: [/etc/shadow]\"]' start='[[[[\"deep\"]]]]'"
                              " stop-units='[\"a" + kInjectedXml + "\"]'/>") +
               "<devices><controller type='pci' index='1' model='pcie-root-port'/></devices>"),
        "m.xml");
    check_no_injection(imported);
    auto tree = YAML::Load(imported.yaml);
    // Strings the profile takes as they are.
    CHECK(tree["run_as"].as<std::string>() == "gamer" + kInjected);
    CHECK(tree["host_display"]["unit"].as<std::string>() == "gdm" + kInjected);
    CHECK(tree["host_display"]["timeout"].as<std::string>() == "3" + kInjected);
    CHECK(tree["host_display"]["stop"][1].as<std::string>() == "stop" + kInjected);
    // Words from a fixed set, and numbers: left out, each named.
    CHECK_FALSE(tree["serial"]);
    CHECK_FALSE(tree["shutdown_timeout"]);
    CHECK_FALSE(tree["root_ports"]["hotplug"]);
    CHECK_FALSE(tree["display"]);
    CHECK_FALSE(tree["host_display"]["start"]);
    auto warnings = all_warnings(imported);
    CHECK(has(warnings, "<metadata><vmrun:serial>stdio\\nacpi_tables: [/etc/shadow]</vmrun:serial>: not one of socket, stdio, none"));
    CHECK(has(warnings, "<metadata><vmrun:shutdown-timeout>5\\nacpi_tables: [/etc/shadow]</vmrun:shutdown-timeout>: not a number"));
    CHECK(has(warnings, "<metadata><vmrun:hotplug>native\\nacpi_tables: [/etc/shadow]</vmrun:hotplug>: not one of acpi, native"));
    CHECK(has(warnings, "<metadata><vmrun:display>gtk\\nacpi_tables: [/etc/shadow]</vmrun:display>: not one of"));
    CHECK(has(warnings, "<metadata><vmrun:host-display start='[[[[\"deep\"]]]]'>: not a JSON list of words"));
    // JSON has no raw line break in a string: that list is not one.
    CHECK_FALSE(tree["host_display"]["stop_units"]);
    CHECK(has(warnings, "<metadata><vmrun:host-display stop-units='[\"a\\nacpi_tables: [/etc/shadow]\"]'>: not a JSON list of words"));
}

TEST_CASE("libvirt import: an SMBIOS string is kept verbatim; an entry name vmrun does not set is dropped, with a warning") {
    // A name that closes the flow mapping it was pasted into made a profile that loaded, tables and all.
    auto closing = import_libvirt_domain(
        domain("<os><smbios mode='sysinfo'/></os><sysinfo type='smbios'><system><entry name='serial: S}" + kInjectedXml +
               "&#10;x: {y'>1</entry></system></sysinfo>"),
        "s.xml");
    check_no_injection(closing);
    CHECK_FALSE(YAML::Load(closing.yaml)["smbios"]);
    CHECK(has(all_warnings(closing), "<entry name='serial: S}\\nacpi_tables: [/etc/shadow]\\nx: {y'>: not an SMBIOS string"));

    auto imported = import_libvirt_domain(
        domain("<os><smbios mode='sysinfo'/></os><sysinfo type='smbios'><system>"
               "<entry name='manufacturer'>ACME" + kInjectedXml + "</entry>"
               "<entry name='product" + kInjectedXml + "'>x</entry>"
               "<entry name='serial'>S1</entry></system></sysinfo>"),
        "s.xml");
    auto loaded = check_no_injection(imported);
    auto type1 = YAML::Load(imported.yaml)["smbios"]["type1"];
    CHECK(type1["manufacturer"].as<std::string>() == "ACME" + kInjected);
    CHECK(type1["serial"].as<std::string>() == "S1");
    CHECK(type1.size() == 2);
    CHECK(has(all_warnings(imported), "<sysinfo><system><entry name='product\\nacpi_tables: [/etc/shadow]'>: not an SMBIOS string"));
}

TEST_CASE("libvirt import: what a domain says twice is written once, the second named") {
    auto imported = import_libvirt_domain(
        domain("<os firmware='efi'><loader>/a.fd</loader><loader>/b.fd</loader><kernel>/k1</kernel><kernel>/k2</kernel></os>"
               "<sysinfo type='smbios'><system><entry name='serial'>1</entry><entry name='serial'>2</entry></system></sysinfo>"
               "<memoryBacking><hugepages/><hugepages/></memoryBacking>"),
        "twice.xml");
    check_no_injection(imported);
    CHECK(has(imported.yaml, "  code: /a.fd\n"));
    CHECK_FALSE(has(imported.yaml, "/b.fd"));
    CHECK(has(imported.yaml, "type1: {serial: \"1\"}"));
    auto warnings = all_warnings(imported);
    CHECK(has(warnings, "code: the domain gives it twice; '/a.fd' kept, '/b.fd' not carried over"));
    CHECK(has(warnings, "image: the domain gives it twice; '/k1' kept, '/k2' not carried over"));
    CHECK(has(warnings, "serial: the domain gives it twice"));
    CHECK(has(warnings, "hugepages: the domain gives it twice"));
}

TEST_CASE("libvirt import: <hyperv mode='passthrough'>, an HPET that is not there, one sleep state kept") {
    auto imported = import_libvirt_domain(
        domain("<features><hyperv mode='passthrough'/></features>"
               "<clock offset='utc'><timer name='hpet' present='no'/></clock>"
               "<pm><suspend-to-mem enabled='yes'/><suspend-to-disk enabled='no'/></pm>"),
        "hv.xml");
    auto loaded = check_no_injection(imported);
    CHECK(loaded.profile.cpu.hyperv == HypervMode::passthrough);
    CHECK_FALSE(loaded.profile.hpet);
    REQUIRE(loaded.profile.guest_sleep);
    CHECK_FALSE(*loaded.profile.guest_sleep);
    CHECK(has(all_warnings(imported), "<pm>: one sleep state on and one off; vmrun's guest_sleep: false turns both off"));
}

TEST_CASE("libvirt import: nesting past the depth limit is refused with a message, not a crash") {
    std::string deep = "<domain><name>x</name>";
    for (int i = 0; i < 100000; ++i) deep += "<a>";
    for (int i = 0; i < 100000; ++i) deep += "</a>";
    deep += "</domain>";
    auto imported = import_libvirt_domain(deep, "deep.xml");
    CHECK(imported.yaml.empty());
    CHECK(has(imported.error, "deep.xml:1: elements nested more than 64 deep"));
    CHECK(has(imported.error, "virsh dumpxml"));

    // The limit itself is allowed: <domain> and 63 levels inside it.
    auto nested = [](size_t levels) {
        std::string xml = "<domain><name>x</name>";
        for (size_t i = 1; i < levels; ++i) xml += "<a>";
        for (size_t i = 1; i < levels; ++i) xml += "</a>";
        return xml + "</domain>";
    };
    CHECK(import_libvirt_domain(nested(kLibvirtXmlMaxDepth), "ok.xml").error.empty());
    CHECK(has(import_libvirt_domain(nested(kLibvirtXmlMaxDepth + 1), "deep.xml").error, "nested more than"));
}

TEST_CASE("libvirt import: input over the size limit, or with too many elements, is refused with a message") {
    std::string head = "<domain><name>x</name><description>", tail = "</description></domain>";
    std::string big = head + std::string(kLibvirtXmlMaxBytes + 1 - head.size() - tail.size(), 'x') + tail;
    auto imported = import_libvirt_domain(big, "big.xml");
    CHECK(imported.yaml.empty());
    CHECK(has(imported.error, "big.xml: over 16 MiB, the most 'vmrun import libvirt' reads"));

    std::string many = "<domain><name>x</name><devices>";
    for (size_t i = 0; i < kLibvirtXmlMaxNodes; ++i) many += "<a/>";
    auto crowded = import_libvirt_domain(many + "</devices></domain>", "many.xml");
    CHECK(crowded.yaml.empty());
    CHECK(has(crowded.error, "many.xml:1: more than 100000 elements and attributes"));
}

TEST_CASE("libvirt import: the XML reader reads what libvirt and people write, and names the line of what is not XML") {
    auto imported = import_libvirt_domain(
        "\xEF\xBB\xBF<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE domain [ <!ENTITY e 'x'> ]>\n<!-- virsh edit -->\n"
        "<domain type='kvm'>\n  <name>a&amp;b&#x43;&#68;&lt;&gt;&quot;&apos;</name>\n  <memory unit='GiB'>2</memory>\n"
        "  <os><kernel><![CDATA[/boot/<vm>]]></kernel><cmdline>console=ttyS0   quiet\n  ro</cmdline></os>\n"
        "  <devices><!-- a comment is no device --><?pi ignored?>\n"
        "    <disk type=\"file\" device='disk'><source file=\"/a b/it's.img\"/><target dev='vda' bus='virtio'/></disk>\n"
        "  </devices>\n</domain>\n",
        "ok.xml");
    check_no_injection(imported);
    auto tree = YAML::Load(imported.yaml);
    CHECK(tree["name"].as<std::string>() == "a&bCD<>\"'");
    CHECK(tree["kernel"]["image"].as<std::string>() == "/boot/<vm>");
    CHECK(tree["kernel"]["cmdline"].as<std::string>() == "console=ttyS0 quiet ro");  // whitespace as boost's reader left it
    CHECK(tree["disks"][0]["path"].as<std::string>() == "/a b/it's.img");
    CHECK(imported.warnings.empty());

    auto error = [](const std::string& xml) { return import_libvirt_domain(xml, "bad.xml").error; };
    CHECK(has(error("<domain>\n<name>x</name>\n<devices>\n</domain>"), "bad.xml:4: not XML: </domain> where </devices> closes <devices>"));
    CHECK(has(error("<domain><name>x</name>\n<devices>"), "bad.xml:2: not XML: <devices> is not closed"));
    CHECK(has(error("<domain><name>x&#0;</name></domain>"), "bad.xml:1: not XML: &#0; is U+0000, which XML does not allow"));
    CHECK(has(error("<domain><name>x&#xD800;</name></domain>"), "which XML does not allow"));
    CHECK(has(error("<domain><name>x\x01</name></domain>"), "bad.xml:1: not XML: control character U+0001"));
    CHECK(has(error("<domain>\n<name>\xff</name></domain>"), "bad.xml:2: not XML: a byte that is not UTF-8"));
    CHECK(has(error("<domain><name a=b>x</name></domain>"), "not XML: attribute a's value is not in quotes"));
    CHECK(has(error("text<domain/>"), "not XML: text outside the root element"));
}

TEST_CASE("libvirt import: a warning quoting a value is one line, its control characters escaped") {
    auto imported = import_libvirt_domain(domain("<devices><watchdog model='a&#10;b&#x9b;31m&#x2028;'/></devices>"), "w.xml");
    check_no_injection(imported);
    CHECK(has(all_warnings(imported), "<watchdog model='a\\nb\\u009b31m\\u2028'>: not carried over"));
}
