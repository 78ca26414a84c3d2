#include "cli/command.h"

namespace vmrun::cli {

int run_dry_run(const std::vector<std::string>& args);
int run_validate(const std::vector<std::string>& args);
int run_start(const std::vector<std::string>& args);
int run_stop(const std::vector<std::string>& args);
int run_list(const std::vector<std::string>& args);
int run_console(const std::vector<std::string>& args);
int run_restore(const std::vector<std::string>& args);
int run_qmp(const std::vector<std::string>& args);
int run_hotplug(const std::vector<std::string>& args);
int run_unplug(const std::vector<std::string>& args);
int run_status(const std::vector<std::string>& args);
int run_events(const std::vector<std::string>& args);
int run_systemd_unit(const std::vector<std::string>& args);
int run_iommu(const std::vector<std::string>& args);
int run_bind(const std::vector<std::string>& args);
int run_check(const std::vector<std::string>& args);
int run_host_config(const std::vector<std::string>& args);

bool wants_help(const std::vector<std::string>& args) {
    for (const auto& a : args)
        if (a == "--help" || a == "-h") return true;
    return false;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"start", "start a VM from its profile and supervise it until it ends",
         "usage: vmrun PROFILE [--detach | --foreground]\n"
         "       vmrun start PROFILE [--detach | --foreground]\n\n"
         "Validates PROFILE, checks the host, prepares the VM's folders and firmware, starts\n"
         "QEMU paused, continues it over QMP and supervises it. In the foreground, Ctrl-C asks\n"
         "the guest to power off (ACPI); a second Ctrl-C, or shutdown_timeout seconds, quits\n"
         "QEMU; a third kills it. Every host change is undone when QEMU exits, however it exits.\n\n"
         "  --detach      run in the background (the default for 'headless: true' profiles);\n"
         "                output goes to the VM's log in its state folder\n"
         "  --foreground  stay in the foreground even for a headless profile\n"
         "  --force-bind  take passthrough devices even though the host uses them (boot\n"
         "                console, mounted filesystem, default route, open /dev/dri handles)\n\n"
         "exit codes: 0 the guest powered off, 1 could not start (nothing left changed),\n"
         "3 QEMU failed while running, 4 QEMU was killed by a signal, 5 the guest did not\n"
         "power off in time and vmrun quit or killed QEMU\n",
         run_start},
        {"stop", "power a running VM off (ACPI), escalating when it does not go",
         "usage: vmrun stop NAME [--force] [--timeout SECONDS]\n\n"
         "Asks the guest to power off through ACPI and waits (default 90 s) for the VM to end;\n"
         "then quits QEMU, then kills it. --force quits QEMU at once. Exits with the VM's exit\n"
         "code (see 'vmrun start --help').\n",
         run_stop},
        {"list", "list running VMs", "usage: vmrun list\n\nRunning VMs with supervisor and QEMU pid, uptime and run state.\n", run_list},
        {"console", "attach to a VM's serial console",
         "usage: vmrun console NAME [--linger SECONDS]\n\n"
         "Connects this terminal to the guest's serial console; Ctrl-] detaches. When stdin is\n"
         "not a terminal, its input is sent as is, and the command ends --linger seconds\n"
         "(default 1) after stdin closes and the guest falls silent.\n",
         run_console},
        {"restore", "put the host back after a crashed or killed vmrun",
         "usage: vmrun restore NAME\n\n"
         "Replays the VM's journal newest first: stops an orphaned QEMU, gives passthrough\n"
         "devices back to their original drivers and undoes every other host change an\n"
         "earlier run (or 'vmrun bind') made. Safe to run twice. The next start does this\n"
         "by itself.\n",
         run_restore},
        {"dry-run", "print the QEMU command for a profile without running it",
         "usage: vmrun --dry-run PROFILE [--json]\n"
         "       vmrun dry-run PROFILE [--json]\n\n"
         "Validates PROFILE, plans the VM (root ports, addresses, firmware files) and prints\n"
         "the QEMU command line as one shell-quoted, copy-pasteable line, or with --json as\n"
         "a JSON array of arguments. Changes nothing on the host.\n",
         run_dry_run},
        {"validate", "check a profile and report every problem with file:line:column",
         "usage: vmrun validate PROFILE\n\n"
         "Reports every problem in PROFILE at once, each as file:line:column with the line\n"
         "and a caret. Exit code 65 when the profile has errors, 0 when it is valid.\n",
         run_validate},
        {"qmp", "send one raw QMP command to a running VM",
         "usage: vmrun qmp NAME|--qmp PATH COMMAND [JSON-ARGUMENTS]\n\n"
         "Sends COMMAND with the given arguments (a JSON object) and prints QEMU's answer as\n"
         "pretty JSON. Example: vmrun qmp demo query-pci\n",
         run_qmp},
        {"hotplug", "add a disk, NIC, USB or raw device to a running VM",
         "usage: vmrun hotplug NAME|--qmp PATH WHAT [--id ID]\n"
         "WHAT: --disk PATH [--format raw|qcow2] [--readonly] [--nvme]\n"
         "      --nic user [--model virtio|e1000e]\n"
         "      --usb VENDOR:PRODUCT\n"
         "      --device 'DRIVER,PROP=VALUE,...'\n"
         "      --pci HOSTADDR        (refused until the vfio-pci binder lands)\n\n"
         "Picks the first free root port (the profile's root_ports.spare reserves them), adds\n"
         "the backend (blockdev-add, netdev_add), then the device, and checks that QEMU lists\n"
         "it. A failed device_add removes the backend again. Ids default to disk0, net0, ...\n",
         run_hotplug},
        {"unplug", "remove a device from a running VM, waiting for the guest",
         "usage: vmrun unplug NAME|--qmp PATH ID [--timeout SECONDS]\n\n"
         "Sends device_del, waits (default 30 s) for the guest to release the device\n"
         "(DEVICE_DELETED), then removes its backend. Fails, saying so, when the guest never\n"
         "answers: the device then stays in the VM.\n",
         run_unplug},
        {"status", "run state, QEMU version and root ports of a running VM",
         "usage: vmrun status NAME|--qmp PATH\n", run_status},
        {"events", "stream a running VM's QMP events as JSON lines",
         "usage: vmrun events NAME|--qmp PATH\n\nPrints every event as one JSON line until interrupted.\n",
         run_events},
        {"systemd-unit", "print a systemd unit that starts a VM at boot",
         "usage: vmrun systemd-unit PROFILE\n\n"
         "Prints a Type=notify service that runs the VM's supervisor in the foreground, stops it\n"
         "with 'vmrun stop' (ACPI power-off, then quit after shutdown_timeout), and orders it\n"
         "after the network when the profile uses taps. It prints; it installs nothing.\n",
         run_systemd_unit},
        {"iommu", "list the host's IOMMU groups and their devices",
         "usage: vmrun iommu [--json] [--sysroot DIR]\n\n"
         "Every IOMMU group with its devices: address, vendor:device, class, driver in use,\n"
         "bridge, boot VGA, and names from pci.ids when installed. Marks the groups that pass\n"
         "whole (all endpoints are functions of one device). --sysroot (or VMRUN_SYSROOT) reads\n"
         "another root's /sys, as tests do.\n",
         run_iommu},
        {"bind", "move a profile's passthrough devices to vfio-pci without starting it",
         "usage: vmrun bind PROFILE [--force-bind] [--sysroot DIR]\n\n"
         "Binds every passthrough device of PROFILE, and every other member of its IOMMU\n"
         "group (bridges excepted), to vfio-pci by address: driver_override, unbind,\n"
         "drivers_probe, then waits for /dev/vfio/GROUP. Never by vendor:device id, which\n"
         "would grab identical devices too. Each original driver is journaled first;\n"
         "'vmrun restore NAME' gives every device back. Refuses devices the host is using\n"
         "(boot console, mounted filesystems, default route, open /dev/dri or /dev/nvidia*)\n"
         "unless --force-bind. 'vmrun start' does the same by itself.\n",
         run_bind},
        {"check", "say whether this host is ready, each requirement with its fix",
         "usage: vmrun check [PROFILE] [--sysroot DIR]\n\n"
         "Each requirement as PASS, WARN or FAIL with the exact fix: CPU virtualization, /dev/kvm,\n"
         "IOMMU groups, kernel command line (intel_iommu=on / amd_iommu, iommu=pt), interrupt\n"
         "remapping, vfio modules, QEMU and its version, OVMF, /dev/net/tun and vhost-net.\n"
         "With PROFILE also: its firmware files, bridges, huge pages, and for each passthrough\n"
         "device its whole IOMMU group — what will be bound and what blocks it. Exit code 1\n"
         "when anything FAILs.\n",
         run_check},
        {"host-config", "print the persistent early-binding set-up for a profile's devices",
         "usage: vmrun host-config PROFILE [--distro debian|ubuntu|fedora|arch|...] [--sysroot DIR]\n\n"
         "Prints, for the profile's passthrough devices and their IOMMU groups: the kernel\n"
         "parameters, /etc/modprobe.d/vfio.conf (options vfio-pci ids=..., a softdep for each\n"
         "host driver seen on them), the initramfs module list for initramfs-tools, dracut,\n"
         "mkinitcpio or booster, and the command that regenerates it. Warns when an id would\n"
         "also catch other devices in the host (identical NVMe drives) and leaves it out.\n"
         "The distribution comes from /etc/os-release unless --distro says. It prints; it\n"
         "never edits system files.\n",
         run_host_config},
    };
    return table;
}

}  // namespace vmrun::cli
