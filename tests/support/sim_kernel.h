#pragma once
// A simulated kernel for a simulated sysfs tree (sim_sysfs.h): a thread that
// watches the tree with inotify and answers writes the way the PCI core does —
// driver_override, drivers/NAME/unbind and bind, drivers_probe — moving the
// driver link, creating and removing dev/vfio/GROUP. So the real vmrun binary
// can bind and restore against it.
//
// Writes to sriov_numvfs add and remove virtual functions (add_sriov).
//
// Writes to a huge page pool's nr_hugepages are answered as the kernel does:
// granted up to what limit_hugepages allows, free pages following, pages in
// use kept (as surplus) when the pool is lowered below them.
//
// Unlike the real kernel it answers after the write returns; vmrun waits
// (bounded) for each change, as it must for the device node anyway.

#include <cstdint>
#include <functional>
#include <map>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "host/block/exclusive_open.h"

namespace vmrun::testing {

struct SimWrite {
    std::string file;   // relative to the root: "sys/bus/pci/drivers_probe"
    std::string value;  // without the newline
};

class SimKernel {
public:
    // Remembers each function's current driver as the one probing gives it back to.
    explicit SimKernel(std::string root);
    ~SimKernel();
    SimKernel(const SimKernel&) = delete;
    SimKernel& operator=(const SimKernel&) = delete;

    // The next drivers_probe of this address is ignored, as if the probe hung.
    void stall_probe(const std::string& address);
    // Called on the kernel's thread for every write, before it takes effect.
    void on_write(std::function<void(const SimWrite&)> observer);
    std::vector<SimWrite> writes() const;

    // The block layer's answer to an exclusive open, as the kernel gives it:
    // busy while the device is mounted (in any simulated namespace), is swap,
    // has holders, or was claimed here — a claim no table shows, like a
    // lazily unmounted filesystem still in use.
    void claim_exclusively(const std::string& block_name);
    ExclusiveOpenCheck exclusive_open() const;

    // Returns once every write made before it has been answered (the kernel
    // answers at once; this one on its thread).
    void sync();

    // The kernel finds at most `max_total` pages of this size (memory too fragmented).
    void limit_hugepages(uint64_t page_kib, uint64_t max_total);
    // A QEMU taking (`pages` > 0) or freeing (< 0) pages of the pool.
    void use_hugepages(uint64_t page_kib, int64_t pages);

private:
    void run();
    void handle(const std::string& dir, const std::string& file);
    void bind(const std::string& address, const std::string& driver);
    void set_vf_count(const std::string& pf, const std::string& value);
    void watch(const std::string& dir);
    void unbind(const std::string& address);
    std::string driver_of(const std::string& address) const;
    std::string group_of(const std::string& address) const;

    std::string root_;
    int inotify_ = -1, stop_[2] = {-1, -1};
    std::map<int, std::string> watched_;       // watch descriptor -> folder
    std::map<std::string, std::string> native_;  // address -> driver it had at start
    std::set<std::string> stalled_;
    std::set<std::string> claimed_;
    struct Pool {
        uint64_t total = 0, in_use = 0, limit = UINT64_MAX;
    };
    std::map<std::string, Pool> pools_;
    int syncs_seen_ = 0;
    std::condition_variable synced_;  // by folder, relative to the root
    void write_pool(const std::string& dir, const Pool& pool);
    std::function<void(const SimWrite&)> observer_;
    std::vector<SimWrite> writes_;
    mutable std::mutex mutex_;
    std::thread thread_;
};

}  // namespace vmrun::testing
