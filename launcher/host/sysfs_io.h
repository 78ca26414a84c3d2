#pragma once
// The few file operations the host-changing code does on sysfs/procfs, each
// through a sysroot ("/" on a host, a simulated tree in tests).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace vmrun {

// First line of a file, without its newline; "" when unreadable.
std::string read_first_line(const std::filesystem::path& path);

// The unsigned decimal number a counter file holds (nr_hugepages,
// sriov_numvfs); nullopt when unreadable, not a number or past uint64_t.
std::optional<uint64_t> read_decimal(const std::filesystem::path& path);

// This boot's id (proc/sys/kernel/random/boot_id): a journal entry written
// under another boot speaks of kernel state (pools, VFs) that is gone.
std::string boot_id(const std::filesystem::path& sysroot);

// The last component of a symlink's target (a driver's or group's name); "" when no link.
std::string symlink_name(const std::filesystem::path& path);

// How long a sysfs write may take before vmrun stops waiting for it.
constexpr std::chrono::milliseconds kSysfsWriteLimit{30000};

// One write(2) of `value` to an existing attribute file, as `echo value > path`
// does. Returns "" or the error, naming the file.
//
// A write to unbind, bind, drivers_probe, remove, reset or sriov_numvfs runs
// the driver's probe or remove in the writer, and a remove can block in
// uninterruptible sleep for as long as something holds the device (nvidia,
// vfio-pci with its group open). So the write is made by a child process that
// holds none of vmrun's files (not the instance lock): after `limit` vmrun
// stops waiting, says so, and goes on; the child ends whenever the kernel lets it.
std::string write_attribute(const std::filesystem::path& path, const std::string& value,
                            std::chrono::milliseconds limit = kSysfsWriteLimit);

// Calls `visit` for every folder below `root` (not `root` itself), depth
// first, parents before children, never following a symlink — so a walk
// below one device never wanders to another — and no deeper than `max_depth`.
void for_each_folder_below(const std::filesystem::path& root, int max_depth,
                           const std::function<void(const std::filesystem::path&)>& visit);

// Waits until `done` holds, checking every few milliseconds, for at most
// `limit`. The kernel answers sysfs writes synchronously; the wait covers the
// device node that udev/devtmpfs creates after the bind, and simulated kernels.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit);

}  // namespace vmrun
