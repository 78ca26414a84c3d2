#include "host/host_check.h"

#include "host/display/boot_framebuffer.h"
#include "host/pci/option_rom.h"
#include "host/run_command.h"
#include "host/fs/virtiofsd_process.h"
#include "host/tpm/swtpm_apparmor.h"
#include "host/pci/reset_method.h"
#include "host/pci/vga_region.h"
#include "base/join.h"

#include "base/cpu_list.h"
#include "host/cpu/cpu_affinity.h"
#include "host/net/vf_settings.h"
#include "host/pci/sriov.h"
#include "host/requirements.h"

#include <cstdio>

namespace vmrun {

namespace {

const char* kDefaultOvmfCode = "/usr/share/OVMF/OVMF_CODE_4M.fd";

bool has_word(const std::string& cmdline, const std::string& word) {
    size_t pos = 0;
    while ((pos = cmdline.find(word, pos)) != std::string::npos) {
        bool starts = pos == 0 || cmdline[pos - 1] == ' ';
        size_t end = pos + word.size();
        if (starts && (end == cmdline.size() || cmdline[end] == ' ')) return true;
        pos = end;
    }
    return false;
}

class Checker {
public:
    Checker(const HostReadings& h, const LaunchPlan* plan, const PassthroughInspection* pt) : h_(h), plan_(plan), pt_(pt) {
        intel_ = iommu_kind(h.iommu_units, h.cpu_vendor, h.cpu_flags) == IommuKind::intel;
        needs_kvm_ = !plan || plan->profile.accelerator == Accelerator::kvm;
        needs_vfio_ = !plan || !plan->profile.passthrough.empty();
    }

    std::vector<CheckLine> run() {
        cpu();
        kvm();
        // A profile without passthrough does not care about the IOMMU.
        if (needs_vfio_) {
            iommu();
            cmdline();
            interrupt_remapping();
            vfio();
        }
        qemu();
        firmware();
        network();
        hugepages();
        pinning();
        host_sleep();
        tpm();
        shared_folders();
        passthrough();
        return out_;
    }

private:
    void add(Verdict v, std::string topic, std::string text, std::string fix = "") {
        out_.push_back({v, std::move(topic), std::move(text), std::move(fix)});
    }
    // A missing piece is a FAIL only when this use needs it.
    Verdict missing(bool needed) const { return needed ? Verdict::fail : Verdict::warn; }
    std::string iommu_param() const { return intel_ ? "intel_iommu=on" : "amd_iommu=on"; }
    std::string grub_fix(const std::string& params) const {
        return "add '" + params + "' to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run update-grub (grub2-mkconfig -o "
               "/boot/grub2/grub.cfg on Fedora), reboot ('vmrun host-config PROFILE' prints the whole set-up)";
    }

    void cpu() {
        if (h_.cpu_flags.count("vmx")) add(Verdict::pass, "CPU", "Intel VT-x (vmx)");
        else if (h_.cpu_flags.count("svm")) add(Verdict::pass, "CPU", "AMD-V (svm)");
        else
            add(missing(needs_kvm_), "CPU", "no vmx/svm flag: hardware virtualization is off, or this is a VM without nested virtualization",
                "enable Intel VT-x / AMD SVM in the firmware setup");
    }

    void kvm() {
        if (h_.kvm_usable) add(Verdict::pass, "KVM", "/dev/kvm is usable");
        else
        {
            auto p = kvm_unusable(intel_, needs_kvm_ && plan_ ? plan_->profile.source_file : "");
            add(missing(needs_kvm_), "KVM", p.what + (needs_kvm_ ? "" : " (this profile uses tcg)"), p.fix);
        }
    }

    void iommu() {
        iommu_on_ = h_.iommu_groups > 0;
        if (iommu_on_)
            add(Verdict::pass, "IOMMU", "on: " + std::to_string(h_.iommu_groups) + " groups" +
                                            (h_.iommu_units.empty() ? "" : " (" + join(h_.iommu_units, ", ") + ")"));
        else
            add(missing(needs_vfio_), "IOMMU", "off: no IOMMU groups, so no device can be passed through",
                std::string("enable ") + (intel_ ? "VT-d" : "AMD-Vi (IOMMU)") + " in the firmware setup and " +
                    grub_fix(iommu_param() + " iommu=pt"));
    }

    void cmdline() {
        if (intel_) {
            if (has_word(h_.cmdline, "intel_iommu=on")) add(Verdict::pass, "cmdline", "intel_iommu=on");
            else
                add(iommu_on_ ? Verdict::warn : missing(needs_vfio_), "cmdline",
                    "intel_iommu=on is not on the kernel command line" +
                        std::string(iommu_on_ ? " (the IOMMU is on by the kernel's default)" : ""),
                    grub_fix("intel_iommu=on"));
        } else if (has_word(h_.cmdline, "amd_iommu=off")) {
            add(missing(needs_vfio_), "cmdline", "amd_iommu=off disables the IOMMU", "remove amd_iommu=off from the kernel command line");
        } else {
            add(Verdict::pass, "cmdline", "AMD-Vi needs no parameter (on by default)");
        }
        if (has_word(h_.cmdline, "iommu=pt")) add(Verdict::pass, "cmdline", "iommu=pt");
        else
            add(Verdict::warn, "cmdline", "iommu=pt is not set: host devices pay for DMA translation they do not need",
                grub_fix("iommu=pt"));
    }

    void interrupt_remapping() {
        if (h_.interrupt_remapping) add(Verdict::pass, "IRQ", "interrupt remapping is on");
        else if (iommu_on_)
            add(Verdict::warn, "IRQ", "no remapped interrupts seen: vfio refuses devices unless remapping works",
                "enable x2APIC / interrupt remapping in the firmware; last resort (unsafe with untrusted guests): "
                "options vfio_iommu_type1 allow_unsafe_interrupts=1");
    }

    void vfio() {
        std::vector<std::string> absent;
        for (const char* m : {"vfio", "vfio_iommu_type1", "vfio_pci"})
            if (!h_.modules.count(m) && !(std::string(m) == "vfio_pci" && h_.vfio_pci_driver)) absent.push_back(m);
        if (absent.empty()) add(Verdict::pass, "vfio", "vfio, vfio_iommu_type1 and vfio_pci are loaded");
        else
            add(missing(needs_vfio_), "vfio", "not loaded: " + join(absent, ", "),
                "modprobe vfio-pci (it pulls in the rest); to load it at boot: echo vfio-pci > /etc/modules-load.d/vfio.conf");
    }

    void qemu() {
        std::string binary = plan_ ? plan_->facts.qemu_binary : "qemu-system-x86_64";
        if (!h_.qemu_version) {
            auto p = qemu_missing(binary);
            add(Verdict::fail, "QEMU", p.what, p.fix);
            return;
        }
        int major = std::atoi(h_.qemu_version->c_str());
        if (major < 6)
            add(Verdict::warn, "QEMU", binary + " " + *h_.qemu_version + " is older than 6.0, which vmrun is tested against",
                "upgrade QEMU");
        else add(Verdict::pass, "QEMU", binary + " " + *h_.qemu_version);
    }

    void firmware() {
        if (plan_ && plan_->firmware.type == FirmwareType::ovmf) {
            const struct { const std::string& path; const char* what; const char* key; } files[] = {
                {plan_->firmware.code, "OVMF code image", "firmware.code"},
                {plan_->firmware.vars_template, "OVMF VARS template", "firmware.vars_template"}};
            for (const auto& f : files) {
                if (f.path.empty()) continue;
                bool there = h_.files.count(f.path) && h_.files.at(f.path);
                if (there) add(Verdict::pass, "OVMF", std::string(f.what) + " " + f.path);
                else {
                    auto p = ovmf_file_missing(f.what, f.path, f.key, plan_->profile.source_file);
                    add(Verdict::fail, "OVMF", p.what, p.fix);
                }
            }
        } else if (!plan_) {
            bool there = h_.files.count(kDefaultOvmfCode) && h_.files.at(kDefaultOvmfCode);
            if (there) add(Verdict::pass, "OVMF", std::string(kDefaultOvmfCode) + " (UEFI guests)");
            else add(Verdict::warn, "OVMF", "no OVMF: UEFI guests (and GPU passthrough to modern Windows) need it", "apt-get install ovmf");
        }
    }

    void network() {
        bool taps = false;
        if (plan_)
            for (const auto& n : plan_->profile.nics) taps |= n.type == NicType::tap;
        if (h_.tun) add(Verdict::pass, "network", "/dev/net/tun is there");
        else add(missing(taps), "network", "/dev/net/tun is missing: no tap networking", "modprobe tun");
        if (h_.vhost_net) add(Verdict::pass, "network", "vhost-net is usable (in-kernel virtio-net data path)");
        else add(Verdict::warn, "network", "vhost-net is not usable: virtio-net runs in QEMU, slower", "modprobe vhost_net");
        for (const auto& [bridge, exists] : h_.bridges) {
            if (exists) add(Verdict::pass, "network", "bridge " + bridge + " exists");
            else
                add(Verdict::fail, "network", "bridge " + bridge + " (named by a tap NIC) does not exist",
                    "create it: ip link add " + bridge + " type bridge && ip link set " + bridge +
                        " up, and enslave the uplink (ip link set eth0 master " + bridge + "); to keep it, configure it in your "
                        "network manager (/etc/network/interfaces, systemd-networkd, NetworkManager)");
        }
    }

    void hugepages() {
        if (!plan_ || !plan_->hugepages) return;
        const auto& h = *plan_->hugepages;
        std::optional<HugepagePool> pool;
        if (auto found = h_.hugepage_pools.find(h.page_kib); found != h_.hugepage_pools.end()) pool = found->second;
        bool mounted = h.private_mount || (h_.files.count(h.mem_path) && h_.files.at(h.mem_path));
        auto problems = hugepage_shortfall(h, pool, mounted, plan_->profile.source_file);
        for (const auto& p : problems) add(Verdict::fail, "hugepages", p.what, p.fix);
        if (!problems.empty() || !pool) return;
        std::string size = page_size_name(h.page_kib);
        std::string need = std::to_string(h.pages) + " pages of " + size + " for " + std::to_string(plan_->profile.memory_mib) + " MiB";
        uint64_t free = pool->available();
        if (free >= h.pages) add(Verdict::pass, "hugepages", std::to_string(free) + " free, enough for " + need);
        else
            add(Verdict::pass, "hugepages", std::to_string(free) + " free now; vmrun adds the " + std::to_string(h.pages - free) +
                                                " more of the " + need + " at start and gives them back after");
    }

    void tpm() {
        if (!plan_ || !plan_->profile.tpm) return;
        if (auto confined = swtpm_apparmor_problem(plan_->facts.sysroot, plan_->paths().tpm_state_dir()))
            add(Verdict::fail, "tpm", confined->what, confined->fix);
        std::error_code ec;
        if (std::filesystem::exists(plan_->paths().tpm_state_dir() + "/tpm2-00.permall", ec))
            add(Verdict::pass, "tpm", "the TPM's state is in " + plan_->paths().tpm_state_dir());
        else if (find_program("swtpm_setup").empty())
            add(Verdict::warn, "tpm", "swtpm_setup is not installed: the new TPM gets no endorsement key certificate",
                "install swtpm-tools");
        else
            add(Verdict::pass, "tpm", "the first start manufactures the TPM with swtpm_setup (endorsement key and platform certificates)");
    }

    // The same refusals as the start's preflight, and what will serve the folders.
    void shared_folders() {
        if (!plan_ || plan_->shared_folders.empty()) return;
        auto problems = shared_folder_problems(*plan_);
        for (const auto& f : problems) add(Verdict::fail, "folders", f.what, f.fix);
        if (problems.empty())
            add(Verdict::pass, "folders", std::to_string(plan_->shared_folders.size()) + " shared folder" +
                                              (plan_->shared_folders.size() == 1 ? "" : "s") + " served by " + plan_->facts.virtiofsd_binary);
    }

    void host_sleep() {
        if (!plan_ || !plan_->profile.block_host_sleep.value_or(false)) return;
        if (find_program("systemd-inhibit").empty())
            add(Verdict::warn, "sleep", "systemd-inhibit is not installed: host suspend cannot be blocked while the VM runs",
                "install systemd (logind), or set host_sleep: allow in " + plan_->profile.source_file);
        else
            add(Verdict::pass, "sleep", "host suspend is blocked while the VM runs (a logind sleep inhibitor, let go when it ends)");
    }

    void pinning() {
        if (!plan_ || !plan_->profile.cpu.pin) return;
        const auto& pin = *plan_->profile.cpu.pin;
        auto problems = pinning_problems(h_.online_cpus, pin, plan_->profile.source_file);
        for (const auto& p : problems) add(Verdict::fail, "pinning", p.what, p.fix);
        if (problems.empty())
            add(Verdict::pass, "pinning",
                (pin.vcpus.empty() ? std::string("vCPUs unpinned") : "vCPUs on host CPUs " + join_numbers(pin.vcpus)) +
                    (pin.emulator.empty() ? "" : ", QEMU's other threads on " + format_cpu_list(pin.emulator)) + "; all online");
    }

    static std::string size_text(uint64_t bytes) {
        if (bytes >= (uint64_t(1) << 30) && bytes % (uint64_t(1) << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
        return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
    }

    static std::string join_numbers(const std::vector<int>& v) {
        std::string out;
        for (int n : v) out += (out.empty() ? "" : ",") + std::to_string(n);
        return out;
    }

    void passthrough() {
        if (!plan_ || !pt_) return;
        // What a pf/vf item will do before the binding: a VF made or found.
        for (const auto& r : plan_->sriov) {
            std::string vfs;
            for (const auto& x : plan_->profile.passthrough)
                if (x.vf && x.vf->pf == r.pf) vfs += (vfs.empty() ? "vf " : ", vf ") + std::to_string(x.vf->index) + " = " + x.host.str();
            if (!r.create())
                add(Verdict::pass, "sriov", r.pf.str() + " has " + std::to_string(r.existing) + " virtual functions; " + vfs);
            else if (r.existing == 0)
                add(Verdict::pass, "sriov", r.pf.str() + " has no virtual functions: start creates " + std::to_string(r.needed) +
                                                " (sriov_numvfs, given back at the end) and binds " + vfs);
        }
        for (const auto& p : sriov_problems(*plan_)) add(Verdict::fail, "sriov", p.what, p.fix);
        for (const auto& v : plan_->vf_net)
            add(Verdict::pass, "sriov", "vf " + std::to_string(v.index) + " of " + v.pf.str() + " gets " + describe_vf_net(v.settings) +
                                            ", set on " + v.pf_netdev + " over rtnetlink before the bind and put back at the end");
        for (const auto& g : pt_->expansion.groups) {
            std::vector<std::string> parts;
            for (const auto& f : g.to_bind)
                parts.push_back(f.address.str() + " [" + f.ids() + "] " + (f.driver.empty() ? "unbound" : f.driver) + " -> vfio-pci");
            std::string text = join(parts, ", ");
            for (const auto& b : g.bridges) text += "; bridge " + b.address.str() + " stays on " + (b.driver.empty() ? "no driver" : b.driver);
            add(Verdict::pass, "group " + std::to_string(g.group), text);
        }
        for (const auto& p : pt_->expansion.problems) add(Verdict::fail, "passthrough", p.what, p.fix);
        for (const auto& a : pt_->absent) add(Verdict::fail, "passthrough", a.what, a.fix);
        for (const auto& w : pt_->reset_warnings) add(Verdict::warn, "reset", w.what, w.fix);
        for (const auto& g : pt_->expansion.groups)
            for (const auto& f : g.to_bind)
                if (takes_vendor_reset(plan_->facts.sysroot, f))
                    add(Verdict::pass, "reset", f.address.str() + " resets through vendor-reset: start selects device_specific, and puts the "
                                                                  "reset_method back after");
        for (const auto& x : plan_->profile.passthrough)
            for (const auto& w : rom_warnings(plan_->facts.sysroot, x, plan_->firmware.type, plan_->profile.source_file))
                add(Verdict::warn, "rom", w.what, w.fix);
        if (plan_->firmware.mmio64_mib) {
            std::vector<std::string> bars;
            for (const auto& [address, bytes] : plan_->facts.passthrough_mem64)
                if (bytes) bars.push_back(address.str() + " " + size_text(bytes));
            add(Verdict::pass, "bars", "64-bit BARs " + join(bars, ", ") + ": OVMF's 64-bit PCI window is set to " +
                                           size_text(*plan_->firmware.mmio64_mib << 20) +
                                           " (opt/ovmf/X-PciMmio64Mb); its default 32 GiB would leave them unassigned (Code 12)");
        }
        for (const auto& x : plan_->profile.passthrough)
            if (x.x_vga && !x.vf)
                if (auto vga = vga_region_problem(plan_->facts.sysroot, x.host, plan_->profile.source_file))
                    add(Verdict::fail, "x_vga", vga->what, vga->fix);
        bool handoff = plan_->profile.host_display.has_value();
        for (const auto& x : plan_->profile.passthrough)
            if (auto claims = read_framebuffer_claims(plan_->facts.sysroot, x.host); !claims.empty()) {
                if (handoff)
                    add(Verdict::pass, "handoff", describe_claims(claims) + " of " + x.host.str() +
                                                      ": host_display releases the firmware framebuffer and checks the BAR is free before the bind");
                else {
                    auto f = framebuffer_in_bar(x.host, claims, plan_->profile.source_file);
                    add(Verdict::fail, "bootfb", f.what, f.fix);
                }
            }
        for (const auto& u : pt_->host_uses)
            if (handoff && u.display()) add(Verdict::pass, "handoff", u.what + ": host_display releases it at start, and gives it back after");
            else add(Verdict::fail, "passthrough", u.what, u.fix);
        for (const auto& u : pt_->unverified) add(Verdict::warn, "passthrough", u.what, u.fix);
        if (plan_->firmware.type == FirmwareType::seabios)
            for (const auto& g : pt_->expansion.groups)
                for (const auto& f : g.to_bind)
                    for (const auto& x : plan_->profile.passthrough)
                        if (x.host == f.address && f.is_vga() && !x.x_vga)
                            add(Verdict::warn, "passthrough", f.address.str() + " is a VGA device without x_vga on SeaBIOS: the guest gets no legacy VGA",
                                "set 'x_vga: true' on it, or use firmware: ovmf");
    }

    const HostReadings& h_;
    const LaunchPlan* plan_;
    const PassthroughInspection* pt_;
    bool intel_ = false, needs_kvm_ = true, needs_vfio_ = true, iommu_on_ = false;
    std::vector<CheckLine> out_;
};

}  // namespace

std::vector<CheckLine> check_host(const HostReadings& host, const LaunchPlan* plan, const PassthroughInspection* passthrough) {
    return Checker(host, plan, passthrough).run();
}

std::vector<std::string> files_to_check(const LaunchPlan* plan) {
    if (!plan) return {kDefaultOvmfCode};
    std::vector<std::string> out;
    if (plan->firmware.type == FirmwareType::ovmf) out = {plan->firmware.code, plan->firmware.vars_template};
    // A hugetlbfs the profile names (vmrun mounts its own otherwise).
    if (plan->hugepages && !plan->hugepages->private_mount) out.push_back(plan->hugepages->mem_path);
    return out;
}

std::vector<std::string> bridges_to_check(const LaunchPlan* plan) {
    std::vector<std::string> out;
    if (plan)
        for (const auto& n : plan->profile.nics)
            if (n.type == NicType::tap && !n.bridge.empty()) out.push_back(n.bridge);
    return out;
}

const char* verdict_name(Verdict v) {
    switch (v) {
        case Verdict::pass: return "PASS";
        case Verdict::warn: return "WARN";
        case Verdict::fail: return "FAIL";
    }
    return "?";
}

const char* verdict_key(Verdict v) {
    switch (v) {
        case Verdict::pass: return "pass";
        case Verdict::warn: return "warn";
        case Verdict::fail: return "fail";
    }
    return "?";
}

}  // namespace vmrun
