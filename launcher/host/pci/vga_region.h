#pragma once
// Whether vfio-pci can give a GPU its legacy VGA region, which QEMU's x-vga
// needs ("device does not support requested feature" otherwise). It cannot
// when the kernel was built without CONFIG_VFIO_PCI_VGA (vfio-pci then has no
// disable_vga parameter at all) or when vfio-pci runs, or will be loaded,
// with disable_vga=1 (modprobe.d, or vfio-pci.disable_vga on the kernel's
// command line).

#include <optional>
#include <string>

#include "base/failure.h"
#include "base/pci_address.h"

namespace vmrun {

// Nothing when the region is there (or cannot be known: vfio-pci not loaded
// and nothing configured against it); else why, with the fix naming
// `profile_file`'s x_vga. Where: the parameter or configuration file.
std::optional<Failure> vga_region_problem(const std::string& sysroot, const PciAddress& gpu, const std::string& profile_file);

}  // namespace vmrun
