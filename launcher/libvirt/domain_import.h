#pragma once
// A libvirt domain XML -> a vmrun profile (YAML text), for the subset vmrun
// and libvirt share: memory, vCPUs and their pinning, CPU model and
// features, Hyper-V and hidden KVM, OVMF loader and NVRAM template, direct
// kernel boot, disks, bridged and user NICs, PCI and USB host devices (x-vga
// from <qemu:override> or a '-set device.X.x-vga=on'), root ports, TPM,
// balloon, SMBIOS, display. Every element or attribute it cannot carry over,
// and every value it drops or changes, is named in `warnings`, never dropped
// silently. Pure: text in, text out.
//
// The XML may come from another machine or another person, so the profile
// is written by yaml-cpp's emitter, never pasted together: a value stays one
// value whatever it holds (a newline cannot start a key of its own).

#include <cstddef>
#include <string>
#include <vector>

namespace vmrun {

// What import reads at most. A domain 'virsh dumpxml' writes is some KiB,
// nests about six elements deep and has some hundred elements and
// attributes; virsh itself reads at most 10 MiB of XML. The limits are far
// above that and keep a hostile file from exhausting the stack or memory.
inline constexpr size_t kLibvirtXmlMaxBytes = 16u << 20;
inline constexpr size_t kLibvirtXmlMaxDepth = 64;
inline constexpr size_t kLibvirtXmlMaxNodes = 100000;  // elements and attributes

struct LibvirtImport {
    std::string yaml;                   // empty when `error` is set
    std::vector<std::string> warnings;  // what the profile does not say, one line each
    std::string error;                  // the XML could not be read as a domain
};

// `source`: the XML's file name, for the profile's header comment and messages.
LibvirtImport import_libvirt_domain(const std::string& xml, const std::string& source);

}  // namespace vmrun
