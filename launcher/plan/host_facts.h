#pragma once
// What the launch plan needs to know about the host and the VM's folders.
// Gathered by host_facts_probe (I/O); passed in explicitly so planning and
// argv building stay pure and testable with fixed values.

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "base/pci_address.h"
#include "plan/vm_paths.h"

namespace vmrun {

// An SR-IOV physical function's numbers, from its sysfs files.
struct SriovFacts {
    unsigned total_vfs = 0;  // sriov_totalvfs: how many the device offers
    unsigned num_vfs = 0;    // sriov_numvfs: how many exist now
    unsigned offset = 0;     // sriov_offset: first VF's routing id, from the PF's
    unsigned stride = 0;     // sriov_stride: between VFs
    std::string netdev;      // the PF's network interface (net/ in sysfs); "" = not a NIC, or no driver
};

// A user on this host, for the sound server a profile names by its user.
struct UserFacts {
    unsigned uid = 0;
    std::string home;
    std::string pulse_cookie;  // HOME/.config/pulse/cookie when it exists, else ""
};

struct HostFacts {
    std::string qemu_binary = "qemu-system-x86_64";
    std::string swtpm_binary = "swtpm";
    std::string virtiofsd_binary;  // found for a profile with shared folders; "" = none on this host
    VmPaths paths;            // the VM's folders and every name in them
    std::string ovmf_dir = "/usr/share/OVMF";
    bool vhost_net = false;   // /dev/vhost-net usable
    uint64_t default_hugepage_kib = 2048;            // the kernel's Hugepagesize
    std::map<uint64_t, std::string> hugetlbfs_mounts;  // page size in KiB -> a hugetlbfs mounted with it
    std::map<std::string, std::string> dmi;  // /sys/class/dmi/id: file -> its text, for 'smbios: host'
    std::map<PciAddress, SriovFacts> sriov;     // the physical functions the profile names (pf:)
    std::set<PciAddress> virtual_functions;      // passthrough addresses that are SR-IOV VFs (sysfs physfn)
    std::map<PciAddress, uint64_t> passthrough_mem64;  // bytes of each passed function's 64-bit BARs
    // Where Looking Glass's shared-memory file is made (VMRUN_SHM_DIR in tests).
    std::string shm_dir = "/dev/shm";
    // The users a profile's audio names (audio.user, else run_as), from the passwd database.
    std::map<std::string, UserFacts> users;
    std::string sysroot = "/";  // where sys/, dev/, proc/ are read and written (VMRUN_SYSROOT in tests)
};

}  // namespace vmrun
