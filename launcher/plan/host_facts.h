#pragma once
// What the launch plan needs to know about the host and the VM's folders.
// Gathered by host_facts_probe (I/O); passed in explicitly so planning and
// argv building stay pure and testable with fixed values.

#include <string>

namespace vmrun {

struct HostFacts {
    std::string qemu_binary = "qemu-system-x86_64";
    std::string runtime_dir;  // sockets, pid: /run/vmrun/NAME or $XDG_RUNTIME_DIR/vmrun/NAME
    std::string state_dir;    // persistent: OVMF VARS copy, journal, log
    std::string ovmf_dir = "/usr/share/OVMF";
    bool vhost_net = false;   // /dev/vhost-net usable
    std::string sysroot = "/";  // where sys/, dev/, proc/ are read and written (VMRUN_SYSROOT in tests)
};

}  // namespace vmrun
