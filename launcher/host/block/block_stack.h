#pragma once
// Every block device that hangs off a PCI function, the way the kernel stacks
// them: the disks below the function (nvme0n1, sda), NVMe path devices to
// their subsystem's namespace head (nvme0c0n1 -> nvme0n1 under
// virtual/nvme-subsystem, native multipath), partitions, and everything
// stacked on top through holders/ (LVM, LUKS, dm-multipath, md RAID, bcache),
// recursively. Read through a sysroot; changes nothing.

#include <filesystem>
#include <string>
#include <vector>

namespace vmrun {

struct BlockDevice {
    std::string name;            // "nvme0n1", "nvme0n1p2", "dm-0", "md127"
    std::string dev;             // "259:2"; "" for a device without a node (an NVMe path device)
    std::filesystem::path dir;   // its sysfs folder
    std::string below;           // the device it is reached from; "" for a disk of the function
    std::string relation;        // how: "disk", "partition", "namespace head", "holder"
    std::string holder_kind;     // holders only: "LVM volume vg0-root", "md RAID md127 (raid1)", ...
    std::string dm_name;         // device-mapper devices: the /dev/mapper name

    // The names a mount table or a process may show for it.
    std::vector<std::string> node_names() const;
    // "/dev/nvme0n1p2 (partition of nvme0n1)" — for messages.
    std::string describe() const;
};

// In discovery order: a device always comes after the one it is reached from.
std::vector<BlockDevice> block_devices_of(const std::string& sysroot, const std::filesystem::path& pci_function_dir);

}  // namespace vmrun
