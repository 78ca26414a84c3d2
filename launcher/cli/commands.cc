// The one table of vmrun's commands: what each takes and what it says about
// itself. The parser, the usage lines and --help are all read from here.

#include "cli/command.h"
#include "base/join.h"
#include "plan/force_bind.h"
#include "profile/profile_schema.h"

namespace vmrun::cli {

int run_dry_run(const ParsedArgs& args);
int run_validate(const ParsedArgs& args);
int run_start(const ParsedArgs& args);
int run_stop(const ParsedArgs& args);
int run_list(const ParsedArgs& args);
int run_console(const ParsedArgs& args);
int run_restore(const ParsedArgs& args);
int run_qmp(const ParsedArgs& args);
int run_hotplug(const ParsedArgs& args);
int run_unplug(const ParsedArgs& args);
int run_status(const ParsedArgs& args);
int run_balloon(const ParsedArgs& args);
int run_events(const ParsedArgs& args);
int run_systemd_unit(const ParsedArgs& args);
int run_iommu(const ParsedArgs& args);
int run_bind(const ParsedArgs& args);
int run_check(const ParsedArgs& args);
int run_host_config(const ParsedArgs& args);
int run_completion(const ParsedArgs& args);
int run_export(const ParsedArgs& args);
int run_import(const ParsedArgs& args);
int run_report(const ParsedArgs& args);
int run_agent(const ParsedArgs& args);
int run_snapshot(const ParsedArgs& args);

namespace {

// An option taking one of a profile key's values shows (and completes) the
// schema's list, so the two cannot drift.
std::string choices_of(std::string_view section, std::string_view key) { return join(key_choices(section, key), "|"); }

const OptionSpec kSysroot{"sysroot", "DIR", "read and write DIR's sys/, dev/ and proc/ instead of / (tests; also VMRUN_SYSROOT)",
                          ValueKind::text};
const OptionSpec kForceBind{"force-bind", host_use_kind_names("|"),
                            "take passthrough devices even though the host uses them: for the kinds of use given "
                            "(comma-separated), or all of them (boot console, mounted filesystem or swap, default route, "
                            "open /dev/dri handles) when given alone",
                            ValueKind::optional};
const OptionSpec kJson{"json", "", "print JSON instead of text"};

const PositionalSpec kProfile{"PROFILE"};
const PositionalSpec kName{"NAME"};

const char* kExitCodes =
    "exit codes: 0 the guest powered off, 1 could not start (nothing left changed),\n"
    "3 QEMU failed while running, 4 QEMU was killed by a signal, 5 the guest did not\n"
    "power off in time and vmrun quit or killed QEMU\n";

}  // namespace

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"start", "start a VM from its profile and supervise it until it ends", false, {kProfile},
         {{"detach", "", "run in the background (the default for 'headless: true' profiles); output goes to the VM's log",
           ValueKind::none, 'd', 1},
          {"foreground", "", "stay in the foreground even for a headless profile", ValueKind::none, 0, 1},
          kForceBind},
         std::string("Validates PROFILE, checks the host, prepares the VM's folders and firmware, starts\n"
                     "QEMU paused, continues it over QMP and supervises it. In the foreground, Ctrl-C asks\n"
                     "the guest to power off (ACPI); a second Ctrl-C, or shutdown_timeout seconds, quits\n"
                     "QEMU; a third kills it. Every host change is undone when QEMU exits, however it exits.\n\n") +
             kExitCodes,
         run_start,
         {"vmrun PROFILE [--detach | --foreground] [--force-bind[=KINDS]]"}},
        {"stop", "power a running VM off (ACPI), escalating when it does not go", false, {kName},
         {{"force", "", "quit QEMU at once, without asking the guest"},
          {"timeout", "SECONDS", "how long the guest gets to power off before QEMU is quit (default 90)", ValueKind::seconds}},
         "Asks the guest to power off through ACPI and waits for the VM to end; then quits QEMU,\n"
         "then kills it. Returns as soon as QEMU has ended and the host is restored. Exits with\n"
         "the VM's exit code (see 'vmrun start --help').\n",
         run_stop},
        {"list", "list running VMs", false, {}, {kJson},
         "Running VMs with supervisor and QEMU pid, uptime and run state.\n"
         "With --json: [{name, supervisor_pid, qemu_pid, uptime_seconds, state}], by name.\n",
         run_list},
        {"console", "attach to a VM's serial console", false, {kName},
         {{"linger", "SECONDS", "with stdin not a terminal: end this long after stdin closes and the guest falls silent (default 1)",
           ValueKind::seconds}},
         "Connects this terminal to the guest's serial console; Ctrl-] detaches. When stdin is\n"
         "not a terminal, its input is sent as is, and the guest's terminal queries (cursor\n"
         "position, device attributes) are answered instead of printed.\n",
         run_console},
        {"restore", "put the host back after a crashed or killed vmrun", false, {kName}, {},
         "Replays the VM's journal newest first: stops an orphaned QEMU, gives passthrough\n"
         "devices back to their original drivers and undoes every other host change an\n"
         "earlier run (or 'vmrun bind') made. Safe to run twice. The next start does this\n"
         "by itself.\n",
         run_restore},
        {"dry-run", "print the QEMU command for a profile without running it", false, {kProfile}, {kJson},
         "Validates PROFILE, plans the VM (root ports, addresses, firmware files) and prints\n"
         "the QEMU command line as one shell-quoted, copy-pasteable line, or with --json as\n"
         "a JSON array of arguments. Changes nothing on the host.\n",
         run_dry_run,
         {"vmrun --dry-run PROFILE [--json]"}},
        {"validate", "check a profile and report every problem with file:line:column", false, {kProfile}, {kJson},
         "Reports every problem in PROFILE at once, each as file:line:column with the line\n"
         "and a caret. Exit code 65 when the profile has errors, 0 when it is valid.\n"
         "With --json: {file, valid, name, errors, warnings, diagnostics: [{severity, file,\n"
         "line, column, message}]}, the same exit codes.\n",
         run_validate},
        {"qmp", "send one raw QMP command to a running VM", true, {{"COMMAND"}, {"JSON-ARGUMENTS", true}}, {},
         "Sends COMMAND with the given arguments (a JSON object) and prints QEMU's answer as\n"
         "pretty JSON. Example: vmrun qmp demo query-pci\n",
         run_qmp},
        {"hotplug", "add a disk, NIC, USB, PCI host or raw device to a running VM", true, {},
         {{"disk", "PATH", "a disk image (virtio-blk, or NVMe with --nvme)", ValueKind::text, 0, 1},
          {"nic", choices_of("network", "type"), "a NIC: user networking, or a tap on --bridge", ValueKind::text, 0, 1},
          {"usb", "VENDOR:PRODUCT|BUS.ADDR", "a host USB device, by id or by where lsusb shows it", ValueKind::text, 0, 1},
          {"device", "SPEC", "a raw QEMU device: 'DRIVER,PROP=VALUE,...'", ValueKind::text, 0, 1},
          {"pci", "ADDR[,ADDR...]", "host PCI functions of one slot, bound to vfio-pci first", ValueKind::text, 0, 1},
          {"input", "EVDEV", "a host keyboard or mouse by its event device (QEMU's input-linux)", ValueKind::text, 0, 1},
          {"id", "ID", "the device's id in the VM (default disk0, net0, ...)", ValueKind::text},
          {"format", choices_of("disks", "format"), "the disk image's format (default raw)", ValueKind::text},
          {"readonly", "", "attach the disk read-only"},
          {"nvme", "", "attach the disk as an NVMe controller"},
          {"model", choices_of("network", "model"), "the NIC's model (default virtio)", ValueKind::text},
          {"bridge", "BR", "the host bridge a tap NIC joins", ValueKind::text},
          {"persist", "", "also add the device to the profile the VM was started from"}, kJson},
         "Adds exactly one of --disk, --nic, --usb, --device, --pci or --input. Picks the first free\n"
         "root port (the profile's root_ports.spare reserves them), adds the backend\n"
         "(blockdev-add, netdev_add), then the device, and checks that QEMU lists it. A failed\n"
         "device_add removes the backend again.\n"
         "With --persist the device also goes into the VM's profile file, as the next item of\n"
         "disks, network, usb or passthrough, every other byte of the file kept. The edit is\n"
         "checked as a whole profile first and refused, changing nothing, when the file has\n"
         "changed since the VM started; the file is replaced atomically once QEMU lists the device.\n"
         "--input adds an input-linux object (no device: its events go to the guest's keyboard\n"
         "and mouse). A QEMU that dropped to run_as opens it as that user: vmrun lends the node\n"
         "to the user when needed, journaled, until the VM ends.\n"
         "With --json: {vm, added: [{id, kind (disk, nic, usb, device, pci, input, usb-controller),\n"
         "driver, port (null off PCIe), host (pci)}], tap: {name, bridge} (a tap NIC),\n"
         "profile_updated (with --persist)}, printed whenever the VM was changed.\n",
         run_hotplug},
        {"unplug", "remove a device from a running VM, waiting for the guest", true, {{"ID"}},
         {{"timeout", "SECONDS", "how long to wait for the guest to release the device (default 30)", ValueKind::seconds},
          {"persist", "", "also remove the device from the profile the VM was started from"}, kJson},
         "Sends device_del, waits for the guest to release the device (DEVICE_DELETED), then\n"
         "removes its backend. Fails, saying so, when the guest never answers: the device then\n"
         "stays in the VM. An input-linux object (hotplug --input, or the profile's input)\n"
         "goes with object-del, which needs no answer from the guest.\n"
         "With --persist the device's item (for a PCI host device, every function of its host\n"
         "slot) also leaves the VM's profile file, under the same rules as hotplug --persist.\n"
         "With --json: {vm, removed: [{id, device_deleted_event}], given_back: [{id, host,\n"
         "what}] (PCI host functions back on their drivers), profile_updated (with --persist)}.\n",
         run_unplug},
        {"status", "run state, QEMU version and root ports of a running VM", true, {}, {kJson},
         "What QEMU says of the VM: its state, version, pids and what sits on each root port.\n"
         "With --json: {name, state, qemu: {version, package}, pids: {supervisor, qemu},\n"
         "vcpus: [{index, thread, host_cpus}], emulator_threads: [{host_cpus, threads}],\n"
         "tpm: {swtpm_pid, running}, shared_folders: [{tag, virtiofsd_pid, running}],\n"
         "guest_agent: {answering, version, interfaces: [{name, addresses}]},\n"
         "inputs_away: [{id, device, evdev}] (inputs whose device is unplugged),\n"
         "balloon_mib (with a balloon), root_ports: [{id, devices}]}; each of tpm,\n"
         "shared_folders, guest_agent, inputs_away and balloon_mib only when the VM has it.\n",
         run_status},
        {"balloon", "give a running VM more or less memory through its balloon", true, {{"SIZE"}},
         {{"timeout", "SECONDS", "how long to wait for the guest to get there (default 30)", ValueKind::seconds}},
         "Sets the guest's memory to SIZE (like 2G or 1536M, at most the profile's memory)\n"
         "through its virtio-balloon ('balloon: true' in the profile) and waits until the\n"
         "guest reports it has that much. Fails, saying so, when the guest does not get there.\n",
         run_balloon},
        {"agent", "run a QEMU guest agent command in a running VM", false, {kName, {"COMMAND"}, {"JSON", true}},
         {{"timeout", "SECONDS", "how long to wait for the agent's answer (default 10)", ValueKind::seconds}},
         "Runs COMMAND (guest-ping, guest-info, guest-network-get-interfaces, guest-fsfreeze-freeze,\n"
         "guest-exec, ...) with JSON as its arguments through the guest agent of VM NAME (the\n"
         "profile needs 'guest_agent: true', the guest qemu-guest-agent) and prints its answer\n"
         "as JSON. guest-shutdown and guest-suspend-* answer nothing when they work: vmrun\n"
         "prints {} once sent. Exit code 1 with the agent's error, or when it does not answer.\n"
         "  vmrun agent win11 guest-exec '{\"path\": \"ipconfig\", \"capture-output\": true}'\n",
         run_agent},
        {"events", "stream a running VM's QMP events as JSON lines", true, {}, {},
         "Prints every event as one JSON line until interrupted.\n", run_events},
        {"systemd-unit", "print a systemd unit that starts a VM at boot", false, {kProfile}, {},
         "Prints a Type=notify service that runs the VM's supervisor in the foreground, stops it\n"
         "with 'vmrun stop' (ACPI power-off, then quit after shutdown_timeout), and orders it\n"
         "after the network when the profile uses taps. It prints; it installs nothing.\n"
         "For a profile in /etc/vmrun, the installed template needs no unit of its own:\n"
         "  systemctl enable --now vmrun@NAME    (runs /etc/vmrun/NAME.yaml)\n",
         run_systemd_unit},
        {"iommu", "list the host's IOMMU groups and their devices", false, {}, {kJson, kSysroot},
         "Every IOMMU group with its devices: address, vendor:device, class, driver in use,\n"
         "bridge, boot VGA, and names from pci.ids when installed. Marks the groups that pass\n"
         "whole (all endpoints are functions of one device).\n",
         run_iommu},
        {"bind", "move a profile's passthrough devices to vfio-pci without starting it", false, {kProfile},
         {kForceBind, kSysroot},
         "Binds every passthrough device of PROFILE, and every other member of its IOMMU\n"
         "group (bridges excepted), to vfio-pci by address: driver_override, unbind,\n"
         "drivers_probe, then waits for /dev/vfio/GROUP. Never by vendor:device id, which\n"
         "would grab identical devices too. Each original driver is journaled first;\n"
         "'vmrun restore NAME' gives every device back. 'vmrun start' does the same by itself.\n",
         run_bind},
        {"check", "say whether this host is ready, each requirement with its fix", false, {{"PROFILE", true}}, {kSysroot, kJson},
         "Each requirement as PASS, WARN or FAIL with the exact fix: CPU virtualization, /dev/kvm,\n"
         "IOMMU groups, kernel command line (intel_iommu=on / amd_iommu, iommu=pt), interrupt\n"
         "remapping, vfio modules, QEMU and its version, OVMF, /dev/net/tun and vhost-net.\n"
         "With PROFILE also: its firmware files, bridges, huge pages, and for each passthrough\n"
         "device its whole IOMMU group — what will be bound and what blocks it. Exit code 1\n"
         "when anything FAILs.\n"
         "With --json: {profile (null for the host alone), checks: [{verdict (pass, warn,\n"
         "fail), topic, text, fix}], passed, warnings, failed}; the same exit codes.\n",
         run_check},
        {"host-config", "print the persistent early-binding set-up for a profile's devices", false, {kProfile},
         {{"distro", "ID", "debian, ubuntu, fedora, arch, ... (default: from /etc/os-release)", ValueKind::text}, kSysroot, kJson},
         "Prints, for the profile's passthrough devices and their IOMMU groups: the kernel\n"
         "parameters, /etc/modprobe.d/vfio.conf (options vfio-pci ids=..., a softdep for each\n"
         "host driver seen on them), the initramfs module list for initramfs-tools, dracut,\n"
         "mkinitcpio or booster, and the command that regenerates it. Warns when an id would\n"
         "also catch other devices in the host (identical NVMe drives) and leaves it out.\n"
         "It prints; it never edits system files.\n"
         "With --json: {profile, functions: [{address, ids, driver}], warnings, kernel_cmdline,\n"
         "vfio_pci_ids, disable_vga_for, vga_kept_for, sysfb_off_for, softdeps, builtin_drivers, modprobe_conf: {file, lines},\n"
         "initramfs: [{tool, file, lines, regenerate}]}.\n",
         run_host_config},
        {"export", "write a profile as a libvirt domain XML", false, {{"FORMAT"}, kProfile}, {},
         "Prints PROFILE as a libvirt domain (FORMAT: libvirt) that keeps vmrun's decisions:\n"
         "q35, the same root ports and guest addresses, <hostdev managed='yes'> with the same\n"
         "functions in the same slots, x-vga through <qemu:override>, the OVMF loader and NVRAM,\n"
         "Hyper-V and hidden-KVM features, taps on the same bridge, disks and USB. Whatever\n"
         "libvirt has no element for is named on stderr (some of it carried through\n"
         "<qemu:commandline>), never dropped silently.\n"
         "  vmrun export libvirt win11.yaml > win11.xml && virsh define win11.xml\n",
         run_export},
        {"import", "write a libvirt domain XML as a profile", false, {{"FORMAT"}, {"XML"}}, {},
         "Prints a profile for the libvirt domain in XML (FORMAT: libvirt; 'virsh dumpxml NAME'\n"
         "writes one): memory, vCPUs and their pinning, CPU model and features, Hyper-V and\n"
         "hidden KVM, the OVMF loader and NVRAM template, kernel boot, disks, bridged and user\n"
         "NICs, PCI and USB host devices (x-vga from <qemu:override> or '-set\n"
         "device.X.x-vga=on'), root ports, TPM, balloon, SMBIOS and display. Everything it\n"
         "cannot carry over is named on stderr, never dropped silently. Check the result with\n"
         "'vmrun validate'.\n"
         "  vmrun import libvirt win10.xml > win10.yaml && vmrun validate win10.yaml\n",
         run_import},
        {"snapshot", "create, list, revert or delete a VM's snapshots", false, {{"VM"}, {"ACTION"}, {"SNAP", true}},
         {{"disk-only", "", "create: a running VM's disks alone, its filesystems frozen by its guest agent (a VM with passthrough)"}, kJson},
         "ACTION is create, list, revert or delete; VM is a VM's NAME or its PROFILE file.\n"
         "A VM that is off: an internal snapshot in each writable qcow2 disk (qemu-img\n"
         "snapshot), all disks or none; a raw disk is refused with how to convert it.\n"
         "A running VM: the whole VM, disks with RAM and devices (QMP snapshot-save,\n"
         "snapshot-load, snapshot-delete), which revert brings back while it runs. A running\n"
         "VM with passthrough is refused (QEMU cannot save a VFIO device's state) unless\n"
         "--disk-only: its disks alone, in one transaction, the guest's filesystems frozen\n"
         "around it by its guest agent (crash-consistent without one); revert it with the VM\n"
         "off. With --json, list prints {vm, running, snapshots: [{name,\n"
         "date, vm_state_bytes, disks}]}.\n",
         run_snapshot},
        {"report", "gather what a bug report needs about a VM into one folder", false, {{"VM"}},
         {{"output", "DIR", "make the report's folder in DIR (default: the current folder)", ValueKind::text},
          {"keep-macs", "", "keep MAC addresses (they are masked by default)"}, kJson},
         "Makes vmrun-report-NAME-DATE/ (0700) for VM (a running or stopped VM's NAME, or its\n"
         "PROFILE file): versions of vmrun, QEMU, the kernel and distribution; the profile and\n"
         "the QEMU command vmrun builds from it; 'vmrun check' of it; each passed function's\n"
         "sysfs state (driver, driver_override, IOMMU group, reset_method, power_state, link);\n"
         "the kernel command line and the kernel log's lines on vfio, the IOMMU, resets,\n"
         "framebuffers and the passed devices; the VM's log, console, journal and last exit.\n"
         "No cookie or key file is copied; MAC addresses show as xx:xx:xx:xx:xx:xx unless\n"
         "--keep-macs. README.txt in it lists every file and what could not be had.\n"
         "With --json: {folder, files: [{name, what}], left_out}.\n",
         run_report},
        {"completion", "print the bash or zsh completion script", false, {{"SHELL"}}, {},
         "Prints the script that gives vmrun tab completion in SHELL (bash or zsh): commands,\n"
         "options, profiles (*.yaml), running VMs, device ids for unplug and the host's PCI\n"
         "functions for hotplug --pci. The script asks vmrun itself, so it always matches\n"
         "this version. Packages install it; by hand:\n"
         "  vmrun completion bash > /etc/bash_completion.d/vmrun\n"
         "  vmrun completion zsh > /usr/local/share/zsh/site-functions/_vmrun\n",
         run_completion},
    };
    return table;
}

const Command* find_command(const std::string& name) {
    for (const auto& c : commands())
        if (c.name == name) return &c;
    return nullptr;
}

}  // namespace vmrun::cli
