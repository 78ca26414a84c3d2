#pragma once
// LaunchPlan -> a libvirt domain XML that keeps vmrun's decisions: q35, the
// same root ports (model, chassis, port, slot.function), each passthrough
// function in the same guest slot.function behind the same port,
// multifunction, x-vga through <qemu:override>, OVMF loader and NVRAM,
// Hyper-V and hidden-KVM features, taps on the same bridge, disks, USB.
// Pure, like qemu_argv: the plan's placement is written out, never redone.
// Whatever libvirt has no word for is named in `warnings` (some of it still
// carried through <qemu:commandline>), never silently dropped.

#include <string>
#include <vector>

#include "plan/launch_plan.h"

namespace vmrun {

struct LibvirtDomain {
    std::string xml;
    std::vector<std::string> warnings;
};

// `emulator`: QEMU's absolute path (libvirt insists on one).
LibvirtDomain export_libvirt_domain(const LaunchPlan& plan, const std::string& emulator);

// A vmrun id as a libvirt user alias: "ua-" + id, characters libvirt refuses as '_'.
std::string libvirt_alias(const std::string& id);

}  // namespace vmrun
