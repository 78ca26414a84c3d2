#pragma once
// A libvirt domain XML -> a vmrun profile (YAML text), for the subset vmrun
// and libvirt share: memory, vCPUs and their pinning, CPU model and
// features, Hyper-V and hidden KVM, OVMF loader and NVRAM template, direct
// kernel boot, disks, bridged and user NICs, PCI and USB host devices (x-vga
// from <qemu:override> or a '-set device.X.x-vga=on'), root ports, TPM,
// balloon, SMBIOS, display. Every element or attribute it cannot carry over
// is named in `warnings`, never dropped silently. Pure: text in, text out.

#include <string>
#include <vector>

namespace vmrun {

struct LibvirtImport {
    std::string yaml;                   // empty when `error` is set
    std::vector<std::string> warnings;  // what the profile does not say
    std::string error;                  // the XML could not be read as a domain
};

// `source`: the XML's file name, for the profile's header comment and messages.
LibvirtImport import_libvirt_domain(const std::string& xml, const std::string& source);

}  // namespace vmrun
