#include "host/host_config.h"

#include <cstdio>
#include <set>
#include <sstream>

namespace vmrun {

namespace {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

void render_initramfs(std::ostringstream& o, InitramfsTool t) {
    switch (t) {
        case InitramfsTool::initramfs_tools:
            o << "# initramfs-tools (Debian, Ubuntu): append to /etc/initramfs-tools/modules\n"
                 "vfio\nvfio_iommu_type1\nvfio_pci\n"
                 "# then: update-initramfs -u -k all\n\n";
            break;
        case InitramfsTool::dracut:
            o << "# dracut (Fedora, RHEL, openSUSE): /etc/dracut.conf.d/vfio.conf\n"
                 "force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \"\n"
                 "# then: dracut -f --regenerate-all\n\n";
            break;
        case InitramfsTool::mkinitcpio:
            o << "# mkinitcpio (Arch): in /etc/mkinitcpio.conf, put them first in MODULES and keep the modconf hook\n"
                 "MODULES=(vfio_pci vfio vfio_iommu_type1)\n"
                 "# then: mkinitcpio -P\n\n";
            break;
        case InitramfsTool::booster:
            o << "# booster: /etc/booster.yaml\n"
                 "modules_force_load: vfio_pci,vfio,vfio_iommu_type1\n"
                 "# then: /usr/lib/booster/regenerate_images\n\n";
            break;
    }
}

}  // namespace

std::vector<InitramfsTool> initramfs_tools_for(const std::vector<std::string>& distro_ids) {
    for (const auto& id : distro_ids) {
        if (id == "debian" || id == "ubuntu" || id == "linuxmint" || id == "pop" || id == "raspbian") return {InitramfsTool::initramfs_tools};
        if (id == "fedora" || id == "rhel" || id == "centos" || id == "rocky" || id == "almalinux" || id == "opensuse" ||
            id == "suse" || id == "opensuse-tumbleweed" || id == "opensuse-leap")
            return {InitramfsTool::dracut};
        if (id == "arch" || id == "manjaro" || id == "endeavouros" || id == "cachyos") return {InitramfsTool::mkinitcpio};
        if (id == "booster") return {InitramfsTool::booster};
    }
    return {};
}

std::string render_host_config(const HostConfigInput& in) {
    std::ostringstream o;
    std::vector<const PciFunction*> bound;
    std::set<PciAddress> taken;
    for (const auto& g : in.groups.groups)
        for (const auto& f : g.to_bind) {
            bound.push_back(&f);
            taken.insert(f.address);
        }

    // An id catches every function with that id: the three identical NVMe drives.
    std::vector<std::string> id_list, warnings;
    std::set<std::string> seen;
    for (const auto* f : bound) {
        auto id = f->ids();
        if (!seen.insert(id).second) continue;
        std::vector<std::string> others;
        for (const auto& h : in.host)
            if (h.ids() == id && !taken.count(h.address))
                others.push_back(h.address.str() + (h.driver.empty() ? "" : " (" + h.driver + ")"));
        if (others.empty()) id_list.push_back(id);
        else
            warnings.push_back("id " + id + " of " + f->address.str() + " also matches " + join(others, ", ") +
                               ": at boot, vfio-pci ids= would take those too. It is left out of ids= below; 'vmrun start' "
                               "binds " + f->address.str() + " at run time by address, which takes only that one.");
    }
    std::vector<std::string> softdeps, builtin;
    std::set<std::string> drivers;
    std::set<std::string> early(id_list.begin(), id_list.end());
    for (const auto* f : bound)
        if (early.count(f->ids()) && !f->driver.empty() && f->driver != "vfio-pci" && drivers.insert(f->driver).second) {
            auto it = in.modules.find(f->driver);
            std::string module = it == in.modules.end() ? f->driver : it->second;
            if (module.empty()) builtin.push_back(f->driver);
            else softdeps.push_back(module);
        }

    o << "# Early binding to vfio-pci for:\n";
    for (const auto* f : bound)
        o << "#   " << f->address.str() << " [" << f->ids() << "] " << (f->driver.empty() ? "no driver" : f->driver) << "\n";
    o << "# vmrun host-config prints this; it changes nothing. Without it, 'vmrun start' binds\n"
         "# the devices at run time and gives them back when the VM stops.\n\n";
    for (const auto& w : warnings) o << "# WARNING: " << w << "\n";
    if (!warnings.empty()) o << "\n";

    std::string params = in.intel ? "intel_iommu=on iommu=pt" : "iommu=pt";
    // A built-in driver claims the device before any module loads; only the kernel parameter is early enough.
    if (!builtin.empty() && !id_list.empty()) params += " vfio-pci.ids=" + join(id_list, ",");
    o << "## 1. Kernel command line\n"
      << params << "\n"
      << "# Debian/Ubuntu/Arch with GRUB: add to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then\n"
         "#   update-grub (Debian/Ubuntu) or grub-mkconfig -o /boot/grub/grub.cfg (Arch)\n"
         "# Fedora/RHEL: grubby --update-kernel=ALL --args=\"" << params << "\"\n"
         "# systemd-boot: append to the options line in /boot/loader/entries/*.conf (or /etc/kernel/cmdline)\n\n";

    // A GPU that is not the boot VGA never needs the legacy VGA ranges on the
    // host; opting it out of VGA arbitration keeps the host's console GPU
    // (often an i915 iGPU) from being arbitrated against it.
    std::vector<std::string> secondary_gpus;
    for (const auto* f : bound)
        if (f->is_vga() && f->boot_vga == false) secondary_gpus.push_back(f->address.str());
    std::string disable_vga = secondary_gpus.empty() ? "" : " disable_vga=1";

    o << "## 2. /etc/modprobe.d/vfio.conf\n";
    if (!secondary_gpus.empty())
        o << "# disable_vga=1: " << join(secondary_gpus, ", ") << (secondary_gpus.size() == 1 ? " is" : " are")
          << " not the host's boot VGA, so vfio-pci opts it out of VGA arbitration\n"
             "# and the host's console GPU keeps the legacy VGA ranges to itself (the guest still gets VGA with x-vga=on)\n";
    if (id_list.empty()) {
        o << "# (no id is unique to the profile's devices: leave binding to 'vmrun start')\n";
        if (!disable_vga.empty()) o << "options vfio-pci" << disable_vga << "\n";
    } else {
        o << "options vfio-pci ids=" << join(id_list, ",") << disable_vga << "\n";
    }
    for (const auto& m : softdeps) o << "softdep " << m << " pre: vfio-pci\n";
    for (const auto& d : builtin)
        o << "# " << d << " is built into the kernel: softdep cannot order it, vfio-pci.ids= on the command line does\n";
    o << "\n## 3. Load vfio-pci from the initramfs\n";
    auto tools = in.tools;
    if (tools.empty()) tools = {InitramfsTool::initramfs_tools, InitramfsTool::dracut, InitramfsTool::mkinitcpio, InitramfsTool::booster};
    for (auto t : tools) render_initramfs(o, t);
    o << "## 4. Reboot, then check: vmrun check PROFILE (each device should show vfio-pci)\n";
    return o.str();
}

}  // namespace vmrun
