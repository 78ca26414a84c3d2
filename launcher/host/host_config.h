#pragma once
// 'vmrun host-config': the persistent set-up for binding a profile's devices
// to vfio-pci early at boot — kernel parameters, /etc/modprobe.d/vfio.conf,
// the initramfs module list for the distribution's generator and the command
// that regenerates it. Pure text from facts read elsewhere; it never edits
// system files.

#include <map>
#include <string>
#include <vector>

#include "host/pci/passthrough_groups.h"

namespace vmrun {

enum class InitramfsTool { initramfs_tools, dracut, mkinitcpio, booster };

struct HostConfigInput {
    GroupExpansion groups;                        // what the profile takes
    std::vector<PciFunction> host;                // every function, for id collisions
    std::map<std::string, std::string> modules;   // driver name -> its module ("" = built into the kernel)
    bool intel = true;
    std::vector<InitramfsTool> tools;             // which generators to print for
};

std::string render_host_config(const HostConfigInput& in);

// "debian", "ubuntu", "fedora", "arch", ... (os-release ID and ID_LIKE) -> generator.
// Empty when unknown: then every generator is printed.
std::vector<InitramfsTool> initramfs_tools_for(const std::vector<std::string>& distro_ids);

}  // namespace vmrun
