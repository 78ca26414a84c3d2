#pragma once
// LaunchPlan -> the QEMU argv. Pure, and only writes out what the plan decided.
// Sections come in a fixed order (identity, firmware, control, display, PCI
// topology, passthrough, storage, network, USB, extra args) so a diff of two
// command lines reads like a diff of two profiles.

#include <map>
#include <string>
#include <vector>

#include "plan/launch_plan.h"

namespace vmrun {

// Open file descriptors QEMU inherits at start: a tap NIC with an fd is
// written as tap,fd=N (vmrun created the tap); without one, as ifname=TAP
// (what --dry-run prints, runnable by hand with a persistent tap).
struct InheritedFds {
    std::map<std::string, int> tap_by_nic;  // NIC id -> fd
    // Looking Glass's shared-memory file as vmrun opened it: QEMU maps it
    // through /proc/self/fd, so a path its owner swapped for a link (with
    // fs.protected_symlinks=0) cannot lead QEMU, root, to another file.
    int looking_glass_fd = -1;
    // The supervisor's monitor socket, bound and listening before QEMU runs:
    // vmrun connects at once and waits for QEMU's greeting, never for a file
    // to appear. Without it, QEMU creates the socket at its path.
    int supervisor_monitor_fd = -1;
};

std::vector<std::string> build_qemu_argv(const LaunchPlan& plan, const InheritedFds& fds = {});

// Variables QEMU's environment gets on top of vmrun's (PULSE_COOKIE for a
// PulseAudio server): the only thing besides argv that shapes what QEMU does.
std::map<std::string, std::string> qemu_environment(const LaunchPlan& plan);

// Single -device option strings, exposed so hotplug builds the same devices.
std::string root_port_device(const RootPortPlan& rp);
std::string passthrough_device(const PassthroughPlan& pp);
// An evdev device's -object input-linux (hotplug sends the same as object-add).
std::string input_linux_object(const EvdevInput& in, const std::string& id, const std::string& toggle);
std::string input_object_id(size_t index);  // vmrun-input0, vmrun-input1, ...

}  // namespace vmrun
