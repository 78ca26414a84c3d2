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
    std::vector<PciAddress> x_vga;                // GPUs the profile gives x_vga: they keep vfio-pci's VGA region
};

// What the set-up amounts to, decided once; the text and --json both show it.
struct EarlyBoundFunction {
    std::string address, ids, driver;  // driver: "" when none is bound
};
struct InitramfsRecipe {
    std::string tool;        // "initramfs-tools", "dracut", "mkinitcpio", "booster"
    std::string file;        // where the lines go
    std::string note;        // for a person: the tool, its distributions, where the lines go
    std::vector<std::string> lines;
    std::string regenerate;  // the command that rebuilds the initramfs
};
struct HostConfig {
    std::vector<EarlyBoundFunction> functions;
    std::vector<std::string> warnings;
    std::string kernel_cmdline;              // parameters to add
    std::vector<std::string> vfio_ids;       // vendor:device ids unique to the profile's functions
    std::vector<std::string> secondary_gpus; // passed GPUs that are not the boot VGA: disable_vga=1
    std::vector<std::string> vga_kept;       // secondary GPUs given x_vga: no disable_vga=1 (QEMU would refuse x-vga)
    std::vector<std::string> sysfb_off_for;  // boot GPUs bound at boot: initcall_blacklist=sysfb_init
    std::vector<std::string> softdeps;       // modules vfio-pci must load before
    std::vector<std::string> builtin_drivers;// drivers softdep cannot order
    std::vector<std::string> modprobe_lines; // /etc/modprobe.d/vfio.conf
    std::vector<InitramfsRecipe> initramfs;
};

HostConfig decide_host_config(const HostConfigInput& in);
std::string render_host_config(const HostConfig& config);
std::string render_host_config(const HostConfigInput& in);

// "debian", "ubuntu", "fedora", "arch", ... (os-release ID and ID_LIKE) -> generator.
// Empty when unknown: then every generator is printed.
std::vector<InitramfsTool> initramfs_tools_for(const std::vector<std::string>& distro_ids);

}  // namespace vmrun
