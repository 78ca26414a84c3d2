#include "host/memory/hugepage_pool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "host/journal_args.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

constexpr uint64_t kGiB_kib = 1048576;
// Finding 1G pages in fragmented memory takes the kernel a while; it does not hang.
constexpr std::chrono::milliseconds kPoolWriteLimit{300000};

std::string journal_key(uint64_t page_kib) { return "hugepages-" + std::to_string(page_kib) + "kB"; }

// The kernel's parameters that reserve `pages` at boot, when memory is not yet fragmented.
std::string boot_parameters(uint64_t page_kib, uint64_t pages) {
    std::string size = page_size_name(page_kib);
    return "hugepagesz=" + size + " hugepages=" + std::to_string(pages) + (page_kib == kGiB_kib ? " default_hugepagesz=1G" : "");
}

}  // namespace

std::string page_size_name(uint64_t page_kib) {
    if (page_kib % kGiB_kib == 0) return std::to_string(page_kib / kGiB_kib) + "G";
    if (page_kib % 1024 == 0) return std::to_string(page_kib / 1024) + "M";
    return std::to_string(page_kib) + "K";
}

uint64_t parse_page_size_kib(std::string_view text) {
    if (text.size() < 2) return 0;
    auto digits = text.substr(0, text.size() - 1);
    if (digits.find_first_not_of("0123456789") != std::string_view::npos || digits.size() > 9) return 0;
    uint64_t n = std::stoull(std::string(digits));
    switch (text.back()) {
        case 'K': case 'k': return n;
        case 'M': case 'm': return n * 1024;
        case 'G': case 'g': return n * kGiB_kib;
    }
    return 0;
}

fs::path hugepage_pool_dir(const fs::path& sysroot, uint64_t page_kib) {
    return sysroot / "sys/kernel/mm/hugepages" / ("hugepages-" + std::to_string(page_kib) + "kB");
}

std::optional<HugepagePool> read_hugepage_pool(const fs::path& sysroot, uint64_t page_kib) {
    auto dir = hugepage_pool_dir(sysroot, page_kib);
    auto total = read_decimal(dir / "nr_hugepages"), free = read_decimal(dir / "free_hugepages");
    if (!total || !free) return std::nullopt;
    return HugepagePool{*total, *free, read_decimal(dir / "resv_hugepages").value_or(0)};
}

namespace {

uint64_t meminfo_kib(const fs::path& sysroot, const std::string& wanted) {
    std::ifstream in(sysroot / "proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string key;
        uint64_t kib = 0;
        if (fields >> key >> kib && key == wanted) return kib;
    }
    return 0;
}

}  // namespace

uint64_t default_hugepage_kib(const fs::path& sysroot) { return meminfo_kib(sysroot, "Hugepagesize:"); }

uint64_t available_memory_mib(const fs::path& sysroot) { return meminfo_kib(sysroot, "MemAvailable:") / 1024; }

std::map<uint64_t, std::string> parse_hugetlbfs_mounts(const std::string& mountinfo, uint64_t default_kib) {
    std::map<uint64_t, std::string> out;
    std::istringstream in(mountinfo);
    std::string line;
    while (std::getline(in, line)) {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER_OPTIONS
        std::istringstream fields(line);
        std::string id, parent, dev, root, point, word;
        if (!(fields >> id >> parent >> dev >> root >> point)) continue;
        while (fields >> word && word != "-") {}
        std::string fstype, source, super;
        if (!(fields >> fstype >> source >> super) || fstype != "hugetlbfs") continue;
        uint64_t kib = default_kib;
        std::istringstream opts(super);
        for (std::string opt; std::getline(opts, opt, ',');)
            if (opt.rfind("pagesize=", 0) == 0) kib = parse_page_size_kib(opt.substr(9));
        // mountinfo writes a space in a path as \040; such a mount point is left to the user's path: key.
        if (kib && point.find('\\') == std::string::npos) out.emplace(kib, point);
    }
    return out;
}

FileLock lock_hugepage_pool(const std::string& path, std::string& error) {
    // Its folder (the runtime base) is gone after a reboot, when a restore may still come.
    (void)::mkdir(fs::path(path).parent_path().c_str(), 0700);
    // Another VM holds it from its pool change until its QEMU has taken its
    // pages: seconds for a big guest. A minute means something hangs.
    auto lock = FileLock::take(path, std::chrono::minutes(1), error);
    if (!lock.held() && error.empty())
        error = "another vmrun has been changing the huge page pool for a minute (" + path + " is locked)";
    return lock;
}

PoolOutcome raise_hugepage_pool(const PoolRequest& r, Journal& journal) {
    PoolOutcome out;
    std::string size = page_size_name(r.page_kib);
    const auto dir = hugepage_pool_dir(r.sysroot, r.page_kib).string();
    auto pool = read_hugepage_pool(r.sysroot, r.page_kib);
    if (!pool) {
        out.failure = Failure{"this kernel has no pool of " + size + " huge pages (" + dir + " is missing)",
                              r.page_kib == kGiB_kib ? "1G pages need a CPU with pdpe1gb; use hugepages size: 2M" : "use a kernel built with CONFIG_HUGETLBFS",
                              dir};
        return out;
    }
    if (pool->available() >= r.pages) {
        out.done = std::to_string(pool->available()) + " free " + size + " huge pages cover the " + std::to_string(r.pages) +
                   " this VM needs; the pool stays at " + std::to_string(pool->total);
        return out;
    }
    uint64_t asked = r.pages - pool->available();
    uint64_t target = pool->total + asked;
    std::string key = journal_key(r.page_kib);
    nlohmann::json base = {{"key", key}, {"sysroot", r.sysroot.string()}, {"size_kib", r.page_kib}};
    auto asking = base;
    asking["before"] = pool->total;
    asking["asked"] = asked;
    if (auto ec = journal.record({"hugepages", asking})) {
        out.failure = journal_failure(journal, ec);
        return out;
    }
    // Compaction turns scattered free 4K pages into the contiguous runs huge
    // pages need; best effort (only root may, and a kernel may lack it).
    auto compact = r.sysroot / "proc/sys/vm/compact_memory";
    if (fs::exists(compact)) (void)write_attribute(compact, "1");
    auto write_error = write_attribute(hugepage_pool_dir(r.sysroot, r.page_kib) / "nr_hugepages", std::to_string(target), kPoolWriteLimit);
    // The kernel answers at once; a simulated one just after, with its books
    // balanced (the free pages grown by what the pool grew) — wait for that.
    HugepagePool now = *pool;
    wait_until([&] {
        now = read_hugepage_pool(r.sysroot, r.page_kib).value_or(*pool);
        return now.total != target || now.free - std::min(now.free, pool->free) == now.total - std::min(now.total, pool->total);
    }, std::chrono::milliseconds(1000));
    uint64_t added = std::min(asked, now.total > pool->total ? now.total - pool->total : 0);
    auto got = base;
    got["added"] = added;
    if (auto ec = journal.record({"hugepages", got})) {
        out.failure = journal_failure(journal, ec);
        return out;
    }
    if (!write_error.empty()) {
        out.failure = Failure{"cannot raise the pool of " + size + " huge pages: " + write_error,
                              "run vmrun as root, or reserve the pages at boot with the kernel parameters '" + boot_parameters(r.page_kib, r.pages) + "'",
                              dir};
        return out;
    }
    if (added < asked || now.available() < r.pages) {
        out.failure = Failure{"the kernel found only " + std::to_string(added) + " of the " + std::to_string(asked) + " more " + size +
                                  " huge pages this VM needs (" + std::to_string(r.pages) + " in all; " +
                                  std::to_string(available_memory_mib(r.sysroot)) + " MiB of memory available, and free memory is fragmented)",
                              "reserve them at boot with the kernel parameters '" + boot_parameters(r.page_kib, r.pages) +
                                  "', or stop what uses the memory and start again",
                              dir};
        return out;
    }
    out.done = "raised the pool of " + size + " huge pages from " + std::to_string(pool->total) + " to " + std::to_string(now.total) +
               " for this VM";
    return out;
}

std::string check_hugepage_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    auto kib = args.count("size_kib");
    if (!kib || (*kib != 2048 && *kib != kGiB_kib)) return "no valid huge page size";
    if (args.text("key") != journal_key(*kib)) return "its key does not name its pool";
    if (!args.has_sysroot()) return "no absolute sysfs root";
    if (!args.count("added") && !(args.count("before") && args.count("asked"))) return "neither what was added nor what was asked";
    return "";
}

UndoOutcome give_back_hugepages(const nlohmann::json& json, const std::string& lock_path) {
    JournalArgs args(json);
    fs::path sysroot = *args.text("sysroot");
    uint64_t kib = *args.count("size_kib");
    std::string size = page_size_name(kib);
    std::string error;
    auto lock = lock_hugepage_pool(lock_path, error);
    if (!lock.held()) return UndoOutcome::failed({error, "run 'vmrun restore' again", lock_path});
    auto pool = read_hugepage_pool(sysroot, kib);
    if (!pool)
        return UndoOutcome::failed({"cannot read the pool of " + size + " huge pages in " + hugepage_pool_dir(sysroot, kib).string() +
                                        " to give back what this VM added",
                                    "run 'vmrun restore' again as root", hugepage_pool_dir(sysroot, kib).string()});
    uint64_t added = 0;
    if (auto a = args.count("added")) added = *a;
    else {
        // A crash between the write and its record: what the pool grew by, at most what was asked.
        uint64_t before = *args.count("before");
        added = std::min(*args.count("asked"), pool->total > before ? pool->total - before : 0);
    }
    if (added == 0) return UndoOutcome::nothing();
    uint64_t target = pool->total > added ? pool->total - added : 0;
    if (auto err = write_attribute(hugepage_pool_dir(sysroot, kib) / "nr_hugepages", std::to_string(target), kPoolWriteLimit); !err.empty())
        return UndoOutcome::failed({"cannot give back " + std::to_string(added) + " " + size + " huge pages: " + err,
                                    "lower " + (hugepage_pool_dir(sysroot, kib) / "nr_hugepages").string() + " to " + std::to_string(target) +
                                        " by hand",
                                    hugepage_pool_dir(sysroot, kib).string()});
    return UndoOutcome::done("gave back " + std::to_string(added) + " " + size + " huge pages (pool " + std::to_string(pool->total) + " -> " +
           std::to_string(target) + ")");
}

}  // namespace vmrun
