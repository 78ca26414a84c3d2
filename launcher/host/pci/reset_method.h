#pragma once
// How the kernel resets a passed function between guest boots and when it
// comes back (sysfs reset_method, kernels 5.15+), and the GPUs whose own
// resets fail — AMD Polaris, Vega and Navi 10/12/14, "the AMD reset bug":
// for those the out-of-tree vendor-reset module supplies a working one,
// chosen by writing "device_specific" to reset_method. That write is a host
// change: journaled before, put back after.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/failure.h"
#include "host/journal.h"
#include "host/pci/pci_sysfs.h"

namespace vmrun {

// The methods reset_method lists, in the kernel's order of trying; nullopt
// when the kernel has no such file (before 5.15), empty when the function
// has no reset at all.
std::optional<std::vector<std::string>> read_reset_methods(const std::string& sysroot, const PciAddress& address);

// An AMD GPU whose built-in resets leave it unusable for the next boot.
bool needs_vendor_reset(const PciFunction& f);

bool vendor_reset_loaded(const std::string& sysroot);

// A GPU that needs vendor-reset on a host that has it: start selects its reset.
bool takes_vendor_reset(const std::string& sysroot, const PciFunction& f);

// What to tell before a bind: a function with no reset method, a GPU that
// needs vendor-reset without it. Warnings: the VM may still run once.
std::vector<Failure> reset_warnings(const std::string& sysroot, const PciFunction& f);

// For a GPU that needs vendor-reset, with the module loaded and its methods
// not yet led by device_specific: journal {before}, then write
// "device_specific". Nothing otherwise.
std::optional<Failure> choose_vendor_reset(const std::string& sysroot, const PciFunction& f, Journal& journal);

// The journal's "reset-method" entries: the check, and the undo.
std::string check_reset_method_entry(const nlohmann::json& args);
UndoOutcome restore_reset_method(const nlohmann::json& args);

}  // namespace vmrun
