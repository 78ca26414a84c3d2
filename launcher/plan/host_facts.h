#pragma once
// What the launch plan needs to know about the host and the VM's folders.
// Gathered by host_facts_probe (I/O); passed in explicitly so planning and
// argv building stay pure and testable with fixed values.

#include <cstdint>
#include <map>
#include <string>

#include "plan/vm_paths.h"

namespace vmrun {

struct HostFacts {
    std::string qemu_binary = "qemu-system-x86_64";
    std::string swtpm_binary = "swtpm";
    VmPaths paths;            // the VM's folders and every name in them
    std::string ovmf_dir = "/usr/share/OVMF";
    bool vhost_net = false;   // /dev/vhost-net usable
    uint64_t default_hugepage_kib = 2048;            // the kernel's Hugepagesize
    std::map<uint64_t, std::string> hugetlbfs_mounts;  // page size in KiB -> a hugetlbfs mounted with it
    std::map<std::string, std::string> dmi;  // /sys/class/dmi/id: file -> its text, for 'smbios: host'
    std::string sysroot = "/";  // where sys/, dev/, proc/ are read and written (VMRUN_SYSROOT in tests)
};

}  // namespace vmrun
