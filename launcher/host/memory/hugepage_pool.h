#pragma once
// The kernel's huge page pools (sys/kernel/mm/hugepages/hugepages-<kB>kB)
// read, raised for one VM and lowered by exactly as much after it — journaled
// so that a crash at any point, two VMs ending in either order, or a kernel
// that finds fewer pages than asked all leave the pool as it was.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "host/file_lock.h"
#include "base/failure.h"
#include "host/journal.h"

namespace vmrun {

struct HugepagePool {
    uint64_t total = 0;     // nr_hugepages: the persistent pool
    uint64_t free = 0;      // free_hugepages
    uint64_t reserved = 0;  // resv_hugepages: free, but promised to a mapping already
    uint64_t available() const { return free > reserved ? free - reserved : 0; }
};

// "2M", "1G" (what the profile and the kernel's parameters say).
std::string page_size_name(uint64_t page_kib);
// "2M" / "2048K" / "1024M" / "1G" as hugetlbfs's pagesize= writes them; 0 when not one.
uint64_t parse_page_size_kib(std::string_view text);

std::filesystem::path hugepage_pool_dir(const std::filesystem::path& sysroot, uint64_t page_kib);
// nullopt when this kernel has no pool of that size (1G needs the CPU's pdpe1gb).
std::optional<HugepagePool> read_hugepage_pool(const std::filesystem::path& sysroot, uint64_t page_kib);
// Hugepagesize from proc/meminfo, in KiB (0 when unreadable).
uint64_t default_hugepage_kib(const std::filesystem::path& sysroot);
// MemAvailable from proc/meminfo, in MiB (0 when unreadable).
uint64_t available_memory_mib(const std::filesystem::path& sysroot);

// Every hugetlbfs in a mountinfo text, by its page size (pagesize= of its
// options, else the kernel's default); the first mount of each size.
std::map<uint64_t, std::string> parse_hugetlbfs_mounts(const std::string& mountinfo, uint64_t default_kib);

// Pool changes, one at a time on the host: a VM's read-raise-record, and
// holding it until QEMU has taken its pages, so that a second VM starting
// at the same moment does not count the first one's fresh pages as free.
// Not held when another vmrun kept it for a minute, or on an error (`error`).
FileLock lock_hugepage_pool(const std::string& path, std::string& error);

struct PoolRequest {
    std::filesystem::path sysroot;
    uint64_t page_kib = 2048;
    uint64_t pages = 0;  // what the VM needs free
};

struct PoolOutcome {
    std::optional<Failure> failure;  // refused: the numbers, and what to do (where: the pool's folder)
    std::string done;                // for the log: what changed
};

// Raises the pool by what `pages` needs beyond its free pages. Journals
// {before, asked} before the write and {added} after it; when the kernel finds
// fewer, refuses with the numbers (what it did get is journaled, so the
// caller's replay gives it back). Hold lock_hugepage_pool's lock around it.
PoolOutcome raise_hugepage_pool(const PoolRequest& request, Journal& journal);

// The journal's "hugepages" entries: the check, and the undo that lowers the
// pool by what this VM added (taking the lock at `lock_path`). Lowering never
// takes pages in use — the kernel keeps those as surplus until they are freed.
std::string check_hugepage_entry(const nlohmann::json& args);
UndoOutcome give_back_hugepages(const nlohmann::json& args, const std::string& lock_path);

}  // namespace vmrun
