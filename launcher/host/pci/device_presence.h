#pragma once
// Whether a PCI function still answers. sysfs's `vendor` file is what the
// kernel read when it enumerated the device; the `config` file is read live,
// and a function powered off in D3cold, fallen off the bus or wedged after a
// failed reset reads all ones (vendor 0xffff, "Unknown header type 7f" in
// lspci). Binding such a function, or giving a VM one, cannot work.
// An SR-IOV virtual function's vendor id reads 0xffff by the specification
// (its ids live in the PF's SR-IOV capability): a VF is judged by its PF.

#include <optional>
#include <string>

#include "base/failure.h"
#include "base/pci_address.h"

namespace vmrun {

enum class Presence {
    answers,  // a vendor id other than 0xffff
    absent,   // reads 0xffff
    unknown,  // no config file to read (a simulated tree without one) or unreadable
};

Presence read_presence(const std::string& sysroot, const PciAddress& address);

// The refusal for a function that reads as absent (a VF: whose PF does), else nothing.
std::optional<Failure> absent_device(const std::string& sysroot, const PciAddress& address,
                                     const std::optional<PciAddress>& physfn = std::nullopt);

}  // namespace vmrun
