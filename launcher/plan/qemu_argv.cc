#include "plan/qemu_argv.h"

#include <tuple>

#include <cstdio>

#include "base/cpu_list.h"
#include "plan/qemu_option.h"
#include "profile/hyperv_set.h"

namespace vmrun {

namespace {

std::string hex16(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04x", v);
    return buf;
}

constexpr const char* kAudiodevId = "vmrun-audio";

void place(QemuOption& o, const PciPlacement& at) {
    o.set("bus", at.bus).set("addr", at.addr());
    if (at.multifunction) o.on_off("multifunction", true);
}

class ArgvWriter {
public:
    ArgvWriter(const LaunchPlan& plan, const InheritedFds& fds) : plan_(plan), p_(plan.profile), fds_(fds) {}

    std::vector<std::string> run() {
        add(plan_.facts.qemu_binary);
        identity();
        firmware();
        tpm();
        control();
        display();
        topology();
        passthrough();
        storage();
        network();
        usb();
        for (const auto& [type, fields] : plan_.smbios) {
            QemuOption smbios;
            smbios.set("type", type);
            for (const auto& [key, value] : fields) smbios.set(key, value);
            add("-smbios", smbios.str());
        }
        for (const auto& table : p_.acpi_tables) add("-acpitable", QemuOption().set("file", table).str());
        if (plan_.looking_glass) {
            const auto& lg = *plan_.looking_glass;
            auto mem_path = fds_.looking_glass_fd >= 0 ? "/proc/self/fd/" + std::to_string(fds_.looking_glass_fd) : lg.path;
            add("-object", QemuOption("memory-backend-file").set("id", "looking-glass-mem").set("mem-path", mem_path)
                               .set("size", std::to_string(lg.size_mib) + "M").on_off("share", true).str());
            QemuOption ivshmem("ivshmem-plain");
            ivshmem.set("id", "looking-glass").set("memdev", "looking-glass-mem");
            place(ivshmem, lg.at);
            add("-device", ivshmem.str());
        }
        audio();
        input();
        if (plan_.balloon) {
            QemuOption balloon("virtio-balloon-pci");
            balloon.set("id", "vmrun-balloon");
            place(balloon, *plan_.balloon);
            add("-device", balloon.str());
        }
        shared_folders();
        if (plan_.agent_serial) {
            // Served by QEMU (server, no wait): vmrun connects as the agent's client.
            add("-chardev", QemuOption("socket").set("id", "vmrun-agent").set("path", plan_.paths().agent_socket())
                                .on_off("server", true).on_off("wait", false).str());
            QemuOption serial("virtio-serial-pci");
            serial.set("id", "vmrun-serial");
            place(serial, *plan_.agent_serial);
            add("-device", serial.str());
            add("-device", QemuOption("virtserialport").set("bus", "vmrun-serial.0").set("chardev", "vmrun-agent")
                               .set("name", "org.qemu.guest_agent.0").set("id", "vmrun-agent-port").str());
        }
        // The escape hatch goes last so it can override what vmrun built.
        for (const auto& a : p_.qemu_extra_args) add(a);
        return std::move(argv_);
    }

private:
    // Each folder's virtiofsd waits on its socket; QEMU connects at start.
    void shared_folders() {
        for (const auto& f : plan_.shared_folders) {
            auto id = "vmrun-fs" + std::to_string(f.index);
            add("-chardev", QemuOption("socket").set("id", id + "-sock").set("path", f.socket).str());
            QemuOption fs("vhost-user-fs-pci");
            fs.set("id", id).set("chardev", id + "-sock").set("tag", f.folder.tag);
            place(fs, f.at);
            add("-device", fs.str());
        }
    }

    void input() {
        if (!plan_.input) return;
        const auto& in = *plan_.input;
        for (size_t i = 0; i < in.devices.size(); ++i)
            add("-object", input_linux_object(in.devices[i], input_object_id(i), in.toggle));
        for (auto [model, id, at] : {std::tuple{"virtio-keyboard-pci", "vmrun-keyboard", in.keyboard},
                                     std::tuple{"virtio-mouse-pci", "vmrun-mouse", in.mouse}}) {
            QemuOption dev(model);
            dev.set("id", id);
            place(dev, at);
            add("-device", dev.str());
        }
    }

    void audio() {
        if (!plan_.audio) return;
        const auto& a = *plan_.audio;
        QemuOption dev(a.driver);
        dev.set("id", kAudiodevId);
        if (a.driver == "pa" && !a.socket.empty()) dev.set("server", "unix:" + a.socket);
        if (a.driver == "alsa" && !a.alsa_device.empty()) dev.set("out.dev", a.alsa_device).set("in.dev", a.alsa_device);
        add("-audiodev", dev.str());
        if (a.model == AudioModel::ac97) {
            QemuOption card("AC97");
            card.set("id", "vmrun-sound").set("audiodev", kAudiodevId);
            place(card, a.at);
            add("-device", card.str());
            return;
        }
        QemuOption hda("ich9-intel-hda");
        hda.set("id", "vmrun-sound");
        place(hda, a.at);
        add("-device", hda.str());
        add("-device", QemuOption("hda-duplex").set("id", "vmrun-sound-codec").set("bus", "vmrun-sound.0").set("audiodev", kAudiodevId).str());
    }

    void add(std::string a) { argv_.push_back(std::move(a)); }
    void add(const char* opt, const std::string& value) { add(std::string(opt)); add(value); }

    void hugepage_backend(const HugepagePlan& h, const std::string& size) {
        QemuOption backend("memory-backend-file");
        backend.set("id", "ram").set("size", size).set("mem-path", h.mem_path).on_off("prealloc", true);
        if (plan_.shared_ram()) backend.on_off("share", true);
        if (h.prealloc_threads > 1) backend.set("prealloc-threads", h.prealloc_threads);
        if (!h.prealloc_cpus.empty()) {
            // QEMU 7.2's thread-context: the prealloc threads are created
            // from it and inherit its CPU affinity (one key per range).
            QemuOption context("thread-context");
            context.set("id", "prealloc-cpus");
            std::string list = format_cpu_list(h.prealloc_cpus);
            for (size_t start = 0; start <= list.size();) {
                size_t comma = std::min(list.find(',', start), list.size());
                context.set("cpu-affinity", list.substr(start, comma - start));
                start = comma + 1;
            }
            add("-object", context.str());
            backend.set("prealloc-context", "prealloc-cpus");
        }
        add("-object", backend.str());
    }

    void identity() {
        add("-name", QemuOption().set("guest", p_.name).on_off("debug-threads", true).str());
        QemuOption machine(p_.machine);
        machine.set("accel", p_.accelerator == Accelerator::kvm ? "kvm" : "tcg");
        if (plan_.firmware.secure_boot) machine.on_off("smm", true);
        if (plan_.hugepages || plan_.shared_ram()) machine.set("memory-backend", "ram");
        if (!p_.hpet) machine.on_off("hpet", false);
        add("-machine", machine.str());
        if (p_.guest_sleep && !*p_.guest_sleep) {
            add("-global", "ICH9-LPC.disable_s3=1");
            add("-global", "ICH9-LPC.disable_s4=1");
        }
        QemuOption cpu(p_.cpu.model);
        if (p_.cpu.hide_kvm) cpu.on_off("kvm", false);
        if (!p_.cpu.hv_vendor_id.empty()) cpu.set("hv-vendor-id", p_.cpu.hv_vendor_id);
        if (p_.cpu.hyperv == HypervMode::enlightened)
            for (const auto& f : hyperv_set()) cpu.set(f.qemu, f.qemu_value);
        else if (p_.cpu.hyperv == HypervMode::passthrough)
            cpu.on_off("hv-passthrough", true);
        for (const auto& f : p_.cpu.flags) cpu.flag(f);
        add("-cpu", cpu.str());
        add("-smp", QemuOption(std::to_string(p_.smp.cpus())).set("sockets", p_.smp.sockets)
                        .set("cores", p_.smp.cores).set("threads", p_.smp.threads).str());
        std::string mem = std::to_string(p_.memory_mib) + "M";
        add("-m", mem);
        if (plan_.hugepages) hugepage_backend(*plan_.hugepages, mem);
        // virtiofsd maps the guest's RAM to reach its buffers: one it can share.
        else if (plan_.shared_ram())
            add("-object", QemuOption("memory-backend-memfd").set("id", "ram").set("size", mem).on_off("share", true).str());
        add("-rtc", QemuOption().set("base", p_.rtc == RtcBase::localtime ? "localtime" : "utc").str());
        if (p_.boot.menu || !p_.boot.order.empty()) {
            QemuOption boot;
            if (!p_.boot.order.empty()) boot.set("order", p_.boot.order);
            if (p_.boot.menu) boot.on_off("menu", true);
            add("-boot", boot.str());
        }
    }

    void firmware() {
        const auto& f = plan_.firmware;
        if (f.type == FirmwareType::ovmf) {
            add("-drive", QemuOption().set("if", "pflash").set("format", "raw").set("unit", 0)
                              .set("file", f.code).on_off("readonly", true).str());
            add("-drive", QemuOption().set("if", "pflash").set("format", "raw").set("unit", 1).set("file", f.vars).str());
            if (f.secure_boot) add("-global", "driver=cfi.pflash01,property=secure,value=on");
            if (f.mmio64_mib)
                add("-fw_cfg", QemuOption().set("name", "opt/ovmf/X-PciMmio64Mb").set("string", std::to_string(*f.mmio64_mib)).str());
        }
        if (p_.kernel) {
            // -kernel/-initrd/-append take their value verbatim, not as an option list.
            add("-kernel", p_.kernel->image);
            if (!p_.kernel->initrd.empty()) add("-initrd", p_.kernel->initrd);
            if (!p_.kernel->cmdline.empty()) add("-append", p_.kernel->cmdline);
        }
    }

    // QEMU talks to swtpm over its control socket; vmrun starts swtpm first.
    void tpm() {
        if (!p_.tpm) return;
        add("-chardev", QemuOption("socket").set("id", "tpm-chardev").set("path", plan_.paths().swtpm_socket()).str());
        add("-tpmdev", QemuOption("emulator").set("id", "tpm0").set("chardev", "tpm-chardev").str());
        add("-device", QemuOption(p_.tpm->model == TpmModel::crb ? "tpm-crb" : "tpm-tis").set("tpmdev", "tpm0").str());
    }

    void control() {
        // Nothing QEMU would add by itself: every device on the command line is ours.
        add("-nodefaults");
        add("-no-user-config");
        // QEMU installs the seccomp filter before it drops to run_as, so the
        // setuid that -runas needs must stay allowed in that case.
        if (p_.sandbox)
            add("-sandbox", p_.run_as.empty() ? "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"
                                              : "on,obsolete=deny,spawn=deny,resourcecontrol=deny");
        if (!p_.run_as.empty()) add("-runas", p_.run_as);
        if (p_.root_ports.hotplug == HotplugMode::native)
            add("-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off");
        add("-chardev", QemuOption("socket").set("id", "qmp").set("path", plan_.paths().qmp_socket())
                            .on_off("server", true).on_off("wait", false).str());
        add("-mon", QemuOption().set("chardev", "qmp").set("mode", "control").str());
        add("-chardev", QemuOption("socket").set("id", "qmp-events").set("path", plan_.paths().events_socket())
                            .on_off("server", true).on_off("wait", false).str());
        add("-mon", QemuOption().set("chardev", "qmp-events").set("mode", "control").str());
        QemuOption supervisor_monitor("socket");
        supervisor_monitor.set("id", "qmp-supervisor");
        if (fds_.supervisor_monitor_fd >= 0) supervisor_monitor.set("fd", std::to_string(fds_.supervisor_monitor_fd));
        else supervisor_monitor.set("path", plan_.paths().supervisor_socket());
        add("-chardev", supervisor_monitor.on_off("server", true).on_off("wait", false).str());
        add("-mon", QemuOption().set("chardev", "qmp-supervisor").set("mode", "control").str());
        switch (p_.serial) {
            case SerialMode::socket:
                add("-chardev", QemuOption("socket").set("id", "serial0").set("path", plan_.paths().console_socket())
                                    .on_off("server", true).on_off("wait", false)
                                    .set("logfile", plan_.paths().console_log()).on_off("logappend", false).str());
                add("-serial", "chardev:serial0");
                break;
            case SerialMode::stdio:
                add("-chardev", QemuOption("stdio").set("id", "serial0").str());
                add("-serial", "chardev:serial0");
                break;
            case SerialMode::none:
                break;
        }
    }

    void display() {
        const auto& d = p_.display;
        auto split = [](const std::string& listen, const char* fallback) {
            std::string l = listen.empty() ? fallback : listen;
            auto colon = l.rfind(':');
            return std::pair(l.substr(0, colon), std::stoi(l.substr(colon + 1)));
        };
        switch (d.type) {
            case DisplayType::none: add("-display", "none"); break;
            case DisplayType::gtk: add("-display", "gtk"); break;
            case DisplayType::vnc: {
                add("-display", "none");
                auto [host, port] = split(d.listen, "127.0.0.1:5900");
                add("-vnc", escape_option_value(host + ":" + std::to_string(port - 5900)));
                break;
            }
            case DisplayType::spice: {
                add("-display", "none");
                auto [host, port] = split(d.listen, "127.0.0.1:5930");
                add("-spice", QemuOption().set("addr", host).set("port", port).on_off("disable-ticketing", true).str());
                break;
            }
        }
        const char* vga = "none";
        switch (plan_.vga) {
            case VgaType::std: vga = "std"; break;
            case VgaType::virtio: vga = "virtio"; break;
            case VgaType::qxl: vga = "qxl"; break;
            default: break;
        }
        add("-vga", vga);
    }

    void topology() {
        for (const auto& rp : plan_.root_ports) add("-device", root_port_device(rp));
    }

    void passthrough() {
        for (const auto& pp : plan_.passthrough) add("-device", passthrough_device(pp));
    }

    void storage() {
        if (plan_.scsi_controller) {
            QemuOption c("virtio-scsi-pci");
            c.set("id", "scsi0");
            place(c, *plan_.scsi_controller);
            add("-device", c.str());
        }
        for (const auto& dp : plan_.disks) {
            const auto& d = dp.disk;
            bool cd = d.media == DiskMedia::cdrom;
            QemuOption drive;
            drive.set("if", "none").set("id", dp.drive_id).set("file", d.path)
                 .set("format", d.format == DiskFormat::raw ? "raw" : "qcow2");
            if (cd) drive.set("media", "cdrom");
            if (cd || d.readonly) drive.on_off("readonly", true);
            if (!d.cache.empty()) drive.set("cache", d.cache);
            if (!d.aio.empty()) drive.set("aio", d.aio);
            add("-drive", drive.str());

            QemuOption dev(dp.driver);
            dev.set("drive", dp.drive_id).set("id", d.id);
            if (dp.at) place(dev, *dp.at);
            else dev.set("bus", dp.port_bus);
            if (d.bus == DiskBus::nvme) dev.set("serial", d.id);  // QEMU's nvme insists on one
            if (d.boot_index) dev.set("bootindex", *d.boot_index);
            add("-device", dev.str());
        }
    }

    void network() {
        for (const auto& np : plan_.nics) {
            const auto& n = np.nic;
            if (n.type == NicType::tap) {
                QemuOption nd("tap");
                nd.set("id", np.netdev_id);
                if (auto fd = fds_.tap_by_nic.find(n.id); fd != fds_.tap_by_nic.end()) nd.set("fd", (long long)fd->second);
                else nd.set("ifname", np.tap).set("script", "no").set("downscript", "no");
                if (np.vhost) nd.on_off("vhost", true);
                add("-netdev", nd.str());
            } else {
                QemuOption nd("user");
                nd.set("id", np.netdev_id);
                for (const auto& f : n.forwards)
                    nd.set("hostfwd", f.protocol + ":" + f.host_address + ":" + std::to_string(f.host_port) +
                                          "-:" + std::to_string(f.guest_port));
                add("-netdev", nd.str());
            }
            QemuOption dev(np.driver);
            dev.set("netdev", np.netdev_id).set("id", n.id).set("mac", n.mac);
            place(dev, np.at);
            add("-device", dev.str());
        }
    }

    void usb() {
        if (!plan_.usb_controller) return;
        QemuOption xhci("qemu-xhci");
        xhci.set("id", "xhci");
        place(xhci, *plan_.usb_controller);
        add("-device", xhci.str());
        for (const auto& u : plan_.usb) {
            QemuOption dev("usb-host");
            dev.set("id", u.device.id).set("bus", "xhci.0");
            if (u.device.vendor) dev.set("vendorid", hex16(*u.device.vendor)).set("productid", hex16(*u.device.product));
            else dev.set("hostbus", *u.device.bus).set("hostaddr", *u.device.addr);
            add("-device", dev.str());
        }
    }

    const LaunchPlan& plan_;
    const Profile& p_;
    const InheritedFds& fds_;
    std::vector<std::string> argv_;
};

}  // namespace

std::string root_port_device(const RootPortPlan& rp) {
    QemuOption o(rp.model == RootPortModel::ioh3420 ? "ioh3420" : "pcie-root-port");
    o.set("id", rp.id);
    place(o, rp.at);
    o.set("chassis", rp.chassis).set("port", rp.port);
    return o.str();
}

std::string passthrough_device(const PassthroughPlan& pp) {
    const auto& d = pp.device;
    QemuOption o("vfio-pci");
    o.set("host", d.host.str()).set("id", d.id);
    place(o, pp.at);
    if (d.x_vga) o.on_off("x-vga", true);
    if (!d.romfile.empty()) o.set("romfile", d.romfile);
    if (d.rombar) o.set("rombar", *d.rombar ? 1 : 0);
    return o.str();
}

std::string input_linux_object(const EvdevInput& in, const std::string& id, const std::string& toggle) {
    QemuOption o("input-linux");
    o.set("id", id).set("evdev", in.evdev);
    if (in.grab_all) o.on_off("grab_all", true);
    if (in.repeat) o.on_off("repeat", true);
    if (!toggle.empty()) o.set("grab-toggle", toggle);
    return o.str();
}

std::string input_object_id(size_t index) { return "vmrun-input" + std::to_string(index); }

std::map<std::string, std::string> qemu_environment(const LaunchPlan& plan) {
    std::map<std::string, std::string> env;
    // QEMU's pa driver has no option for it; libpulse reads the cookie's path
    // from here — vmrun's copy, made at start (libpulse may write the file it is given).
    if (plan.audio && !plan.audio->cookie.empty()) env["PULSE_COOKIE"] = plan.paths().pulse_cookie_copy();
    return env;
}

std::vector<std::string> build_qemu_argv(const LaunchPlan& plan, const InheritedFds& fds) {
    return ArgvWriter(plan, fds).run();
}

}  // namespace vmrun
