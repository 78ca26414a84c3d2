#include "host/host_config.h"
#include "base/join.h"

#include <set>
#include <sstream>

namespace vmrun {

namespace {

InitramfsRecipe recipe_for(InitramfsTool t) {
    switch (t) {
        case InitramfsTool::initramfs_tools:
            return {"initramfs-tools", "/etc/initramfs-tools/modules",
                    "initramfs-tools (Debian, Ubuntu): append to /etc/initramfs-tools/modules",
                    {"vfio", "vfio_iommu_type1", "vfio_pci"}, "update-initramfs -u -k all"};
        case InitramfsTool::dracut:
            return {"dracut", "/etc/dracut.conf.d/vfio.conf", "dracut (Fedora, RHEL, openSUSE): /etc/dracut.conf.d/vfio.conf",
                    {"force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \""}, "dracut -f --regenerate-all"};
        case InitramfsTool::mkinitcpio:
            return {"mkinitcpio", "/etc/mkinitcpio.conf",
                    "mkinitcpio (Arch): in /etc/mkinitcpio.conf, put them first in MODULES and keep the modconf hook",
                    {"MODULES=(vfio_pci vfio vfio_iommu_type1)"}, "mkinitcpio -P"};
        case InitramfsTool::booster:
            return {"booster", "/etc/booster.yaml", "booster: /etc/booster.yaml",
                    {"modules_force_load: vfio_pci,vfio,vfio_iommu_type1"}, "/usr/lib/booster/regenerate_images"};
    }
    return {};
}

void render_initramfs(std::ostringstream& o, const InitramfsRecipe& r) {
    o << "# " << r.note << "\n";
    for (const auto& l : r.lines) o << l << "\n";
    o << "# then: " << r.regenerate << "\n\n";
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

HostConfig decide_host_config(const HostConfigInput& in) {
    HostConfig out;
    std::vector<const PciFunction*> bound;
    std::set<PciAddress> taken;
    for (const auto& g : in.groups.groups)
        for (const auto& f : g.to_bind) {
            bound.push_back(&f);
            taken.insert(f.address);
            out.functions.push_back({f.address.str(), f.ids(), f.driver});
        }

    // An id catches every function with that id: the three identical NVMe drives.
    std::set<std::string> seen;
    for (const auto* f : bound) {
        auto id = f->ids();
        if (!seen.insert(id).second) continue;
        std::vector<std::string> others;
        for (const auto& h : in.host)
            if (h.ids() == id && !taken.count(h.address))
                others.push_back(h.address.str() + (h.driver.empty() ? "" : " (" + h.driver + ")"));
        if (others.empty()) out.vfio_ids.push_back(id);
        else
            out.warnings.push_back("id " + id + " of " + f->address.str() + " also matches " + join(others, ", ") +
                                   ": at boot, vfio-pci ids= would take those too. It is left out of ids= below; 'vmrun start' "
                                   "binds " + f->address.str() + " at run time by address, which takes only that one.");
    }
    std::set<std::string> drivers;
    std::set<std::string> early(out.vfio_ids.begin(), out.vfio_ids.end());
    for (const auto* f : bound)
        if (early.count(f->ids()) && !f->driver.empty() && f->driver != "vfio-pci" && drivers.insert(f->driver).second) {
            auto it = in.modules.find(f->driver);
            std::string module = it == in.modules.end() ? f->driver : it->second;
            if (module.empty()) out.builtin_drivers.push_back(f->driver);
            else out.softdeps.push_back(module);
        }

    out.kernel_cmdline = in.intel ? "intel_iommu=on iommu=pt" : "iommu=pt";
    // A built-in driver claims the device before any module loads; only the kernel parameter is early enough.
    if (!out.builtin_drivers.empty() && !out.vfio_ids.empty()) out.kernel_cmdline += " vfio-pci.ids=" + join(out.vfio_ids, ",");

    // A GPU that is not the boot VGA never needs the legacy VGA ranges on the
    // host; opting it out of VGA arbitration keeps the host's console GPU
    // (often an i915 iGPU) from being arbitrated against it.
    // But disable_vga=1 takes vfio-pci's VGA region away from every device,
    // and QEMU refuses x-vga without one: a profile that gives a GPU x_vga
    // (SeaBIOS, legacy boot) keeps it.
    bool wants_vga = !in.x_vga.empty();
    for (const auto* f : bound)
        if (f->is_vga() && f->boot_vga == false) {
            if (wants_vga) out.vga_kept.push_back(f->address.str());
            else out.secondary_gpus.push_back(f->address.str());
        }
    // The boot GPU bound to vfio-pci at boot: no native driver ever probes it,
    // so nothing removes the firmware framebuffer (BOOTFB, simpledrm) from
    // its BAR, and vfio-pci cannot reserve that BAR. Without sysfb the kernel
    // makes none (the host has no boot console on that GPU then).
    for (const auto* f : bound)
        if (f->is_vga() && f->boot_vga == true && early.count(f->ids())) {
            out.sysfb_off_for.push_back(f->address.str());
            if (out.sysfb_off_for.size() == 1) out.kernel_cmdline += " initcall_blacklist=sysfb_init";
        }
    std::string disable_vga = out.secondary_gpus.empty() ? "" : " disable_vga=1";
    if (!out.vfio_ids.empty()) out.modprobe_lines.push_back("options vfio-pci ids=" + join(out.vfio_ids, ",") + disable_vga);
    else if (!disable_vga.empty()) out.modprobe_lines.push_back("options vfio-pci" + disable_vga);
    for (const auto& m : out.softdeps) out.modprobe_lines.push_back("softdep " + m + " pre: vfio-pci");

    auto tools = in.tools;
    if (tools.empty()) tools = {InitramfsTool::initramfs_tools, InitramfsTool::dracut, InitramfsTool::mkinitcpio, InitramfsTool::booster};
    for (auto t : tools) out.initramfs.push_back(recipe_for(t));
    return out;
}

std::string render_host_config(const HostConfig& c) {
    std::ostringstream o;
    o << "# Early binding to vfio-pci for:\n";
    for (const auto& f : c.functions)
        o << "#   " << f.address << " [" << f.ids << "] " << (f.driver.empty() ? "no driver" : f.driver) << "\n";
    o << "# vmrun host-config prints this; it changes nothing. Without it, 'vmrun start' binds\n"
         "# the devices at run time and gives them back when the VM stops.\n\n";
    for (const auto& w : c.warnings) o << "# WARNING: " << w << "\n";
    if (!c.warnings.empty()) o << "\n";

    o << "## 1. Kernel command line\n"
      << c.kernel_cmdline << "\n"
      << "# Debian/Ubuntu/Arch with GRUB: add to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then\n"
         "#   update-grub (Debian/Ubuntu) or grub-mkconfig -o /boot/grub/grub.cfg (Arch)\n"
         "# Fedora/RHEL: grubby --update-kernel=ALL --args=\"" << c.kernel_cmdline << "\"\n"
         "# systemd-boot: append to the options line in /boot/loader/entries/*.conf (or /etc/kernel/cmdline)\n";
    if (!c.sysfb_off_for.empty())
        o << "# initcall_blacklist=sysfb_init: " << join(c.sysfb_off_for, ", ")
          << " is the boot GPU and goes to vfio-pci at boot, so no driver\n"
             "# ever removes the firmware framebuffer (BOOTFB, simpledrm) from its memory, and vfio-pci\n"
             "# could not reserve it. The host shows no boot console on that GPU then.\n";
    o << "\n";

    o << "## 2. /etc/modprobe.d/vfio.conf\n";
    if (!c.secondary_gpus.empty())
        o << "# disable_vga=1: " << join(c.secondary_gpus, ", ") << (c.secondary_gpus.size() == 1 ? " is" : " are")
          << " not the host's boot VGA, so vfio-pci opts it out of VGA arbitration\n"
             "# and the host's console GPU keeps the legacy VGA ranges to itself (the guest's OVMF needs none)\n";
    if (!c.vga_kept.empty())
        o << "# no disable_vga=1: the profile gives a GPU x_vga, which needs vfio-pci's VGA region\n"
             "# (with disable_vga=1 QEMU refuses x-vga); under OVMF, remove x_vga and run host-config again\n";
    if (c.vfio_ids.empty()) o << "# (no id is unique to the profile's devices: leave binding to 'vmrun start')\n";
    for (const auto& l : c.modprobe_lines) o << l << "\n";
    for (const auto& d : c.builtin_drivers)
        o << "# " << d << " is built into the kernel: softdep cannot order it, vfio-pci.ids= on the command line does\n";
    o << "\n## 3. Load vfio-pci from the initramfs\n";
    for (const auto& r : c.initramfs) render_initramfs(o, r);
    o << "## 4. Reboot, then check: vmrun check PROFILE (each device should show vfio-pci)\n";
    return o.str();
}

std::string render_host_config(const HostConfigInput& in) {
    return render_host_config(decide_host_config(in));
}

}  // namespace vmrun
