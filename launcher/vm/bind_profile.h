#pragma once
// vmrun bind: a profile's passthrough devices (with the rest of their IOMMU
// groups) moved to vfio-pci without starting the VM — the job of the
// vfio-bind scripts, done by address and journaled; 'vmrun restore NAME'
// gives them back.

#include <optional>
#include <string>

#include "plan/force_bind.h"

namespace vmrun {

// `sysroot` replaces the host's / (tests). Says on stderr why it refused or
// failed and on stdout what it bound; returns the exit code.
int bind_profile(const std::string& profile_path, const ForceBind& force, const std::optional<std::string>& sysroot);

}  // namespace vmrun
