#pragma once
// vmrun host-config's facts: the persistent early-binding set-up for a plan's
// passthrough devices, read from the host at `sysroot`. Reads; never edits.

#include <optional>
#include <string>
#include <vector>

#include "host/host_config.h"
#include "host/pci/passthrough_groups.h"
#include "plan/launch_plan.h"

namespace vmrun {

struct HostConfigReport {
    std::vector<Failure> problems;  // the groups cannot be expanded: no config
    std::optional<HostConfig> config;
    bool unknown_distro = false;        // `distro` named none we know: every generator is printed
};

// `distro`: an os-release ID to print for, or "" for the host's own (its /etc/os-release).
HostConfigReport host_config_for(const LaunchPlan& plan, const std::string& sysroot, const std::string& distro);

}  // namespace vmrun
