#pragma once
// Single-GPU passthrough: the host's display stack lets go of the boot GPU
// before it is bound to vfio-pci, and gets it back when the VM ends. What the
// hook scripts of libvirt users do, each step journaled before it is made:
//   1. the display manager stopped (a systemd unit, or the profile's commands),
//      then a wait until no process holds the GPU's /dev/dri (or /dev/nvidia*)
//      nodes — the holders named when they do not go;
//   2. the virtual consoles unbound from their framebuffer console;
//   3. the firmware framebuffers (efi-, simple-, vesa-framebuffer) unbound;
//   4. the GPU driver's kernel modules unloaded, the modules that use them
//      first (nvidia_drm, nvidia_modeset, nvidia_uvm before nvidia) — as the
//      kernel lists them in /sys/module/*/holders, not from a fixed list —
//      when the driver is a module and drives no other device.
// The journal's replay undoes them newest first: modules loaded again (which
// probes the GPU back onto its driver), framebuffers and consoles bound, the
// display manager started.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/pci_address.h"
#include "base/failure.h"
#include "host/journal.h"
#include "plan/launch_plan.h"

namespace vmrun {

// The boot GPU among the profile's passthrough devices (boot_vga is 1).
std::optional<PciAddress> passed_boot_gpu(const std::string& sysroot, const Profile& profile);

// The modules to unload for the driver of `gpu`, in unload order (users
// first); empty when the driver is built in, absent, or drives another device
// too. `why_not` says why nothing is unloaded, for the log.
std::vector<std::string> modules_to_unload(const std::string& sysroot, const PciAddress& gpu,
                                           const std::vector<PciAddress>& passed, std::string& why_not);

// What stops the handoff before anything is changed: no systemctl for a
// unit, a stop or start command that is not there, no modprobe to load the
// driver's modules again, a process holding the GPU that stopping the display
// manager will not end (below). Each with the fix.
std::vector<Failure> display_handoff_problems(const LaunchPlan& plan);

// The processes holding the GPU's nodes that the handoff would wait for in
// vain, found by their systemd unit (/proc/PID/cgroup): not the display
// manager's unit, not a graphical login session (which ends with it), not
// one of host_display.stop_units — nvidia-persistenced, a CUDA container, a
// user's own service. Refused before the session is ended, each named with
// its unit. A process in no unit (a host without systemd) is waited for.
std::vector<Failure> unexpected_gpu_holders(const std::string& sysroot, const PciAddress& gpu, const HostDisplay& hd,
                                                const std::string& profile_file);

// The systemd unit a process runs in, from SYSROOT/proc/PID/cgroup: the
// innermost .service or .scope ("nvidia-persistenced.service",
// "session-3.scope"), with the user manager it runs under when it is a user
// service ("user@1000.service"). Empty when it is in none.
struct ProcessUnit {
    std::string unit, user_manager;
};
ProcessUnit unit_of_process(const std::string& sysroot, const std::string& pid);
// The same from the cgroup file's text.
ProcessUnit parse_process_unit(std::string_view cgroup);

// What the handoff will do on this host, in one line for 'vmrun check'.
std::string describe_handoff(const LaunchPlan& plan);

// Steps 1-4; what failed, if anything (where: the GPU; the journal's replay
// puts back what was done).
std::optional<Failure> hand_over_display(const LaunchPlan& plan, Journal& journal);

// The journal's undos, and the checks that an entry is one vmrun wrote. Each
// undo acts only on what vmrun left: a console still unbound and still the
// one it released (its name), a framebuffer device still there and bound to
// no driver, a module still unloaded; else it leaves the host as it is.
std::string check_display_manager_entry(const nlohmann::json& args);
UndoOutcome start_display_manager(const nlohmann::json& args);
std::string check_host_unit_entry(const nlohmann::json& args);
std::string check_console_entry(const nlohmann::json& args);
UndoOutcome rebind_console(const nlohmann::json& args);
std::string check_framebuffer_entry(const nlohmann::json& args);
UndoOutcome rebind_framebuffer(const nlohmann::json& args);
std::string check_module_entry(const nlohmann::json& args);
UndoOutcome reload_module(const nlohmann::json& args);

}  // namespace vmrun
