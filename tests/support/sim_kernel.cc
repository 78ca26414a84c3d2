#include "sim_kernel.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <algorithm>
#include <fstream>

namespace fs = std::filesystem;

namespace vmrun::testing {

namespace {

std::string first_line(const fs::path& p) {
    std::ifstream in(p);
    std::string s;
    std::getline(in, s);
    return s;
}

}  // namespace

SimKernel::SimKernel(std::string root) : root_(std::move(root)) {
    inotify_ = ::inotify_init1(IN_CLOEXEC);
    if (::pipe2(stop_, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    auto watch = [&](const fs::path& dir) {
        int wd = ::inotify_add_watch(inotify_, dir.c_str(), IN_CLOSE_WRITE);
        if (wd >= 0) watched_[wd] = fs::relative(dir, root_).string();
    };
    fs::create_directories(fs::path(root_) / "sys/bus/pci");  // also where sync() leaves its marks
    watch(fs::path(root_) / "sys/bus/pci");
    std::error_code ec;
    for (const auto& d : fs::directory_iterator(fs::path(root_) / "sys/bus/pci/drivers", ec)) watch(d.path());
    for (const auto& d : fs::directory_iterator(fs::path(root_) / "sys/devices/pci0000:00", ec)) {
        watch(d.path());
        native_[d.path().filename().string()] = driver_of(d.path().filename().string());
    }
    for (const auto& d : fs::directory_iterator(fs::path(root_) / "sys/kernel/mm/hugepages", ec)) {
        watch(d.path());
        auto rel = fs::relative(d.path(), root_).string();
        uint64_t total = std::stoull(first_line(d.path() / "nr_hugepages")), free = std::stoull(first_line(d.path() / "free_hugepages"));
        pools_[rel] = {total, total - free};
    }
    thread_ = std::thread([this] { run(); });
}

SimKernel::~SimKernel() {
    char c = 0;
    (void)::write(stop_[1], &c, 1);
    thread_.join();
    ::close(inotify_);
    ::close(stop_[0]);
    ::close(stop_[1]);
}

void SimKernel::claim_exclusively(const std::string& block_name) {
    std::lock_guard lock(mutex_);
    claimed_.insert(block_name);
}

ExclusiveOpenCheck SimKernel::exclusive_open() const {
    return [this](const BlockDevice& d) -> ClaimAnswer {
        {
            std::lock_guard lock(mutex_);
            if (claimed_.count(d.name)) return {Claim::busy, ""};
        }
        if (d.dev.empty()) return {Claim::unknown, d.name + " has no node"};
        std::error_code ec;
        if (!fs::is_empty(d.dir / "holders", ec) && !ec) return {Claim::busy, ""};
        auto mentions = [&](const fs::path& file, const std::string& word) {
            std::ifstream in(file);
            std::string line;
            while (std::getline(in, line))
                if ((" " + line + " ").find(" " + word + " ") != std::string::npos) return true;
            return false;
        };
        if (mentions(fs::path(root_) / "proc/swaps", "/dev/" + d.name)) return {Claim::busy, ""};
        for (const auto& p : fs::directory_iterator(fs::path(root_) / "proc", ec))
            if (mentions(p.path() / "mountinfo", d.dev)) return {Claim::busy, ""};
        return {Claim::free, ""};
    };
}

namespace {

std::string pool_dir(uint64_t page_kib) { return "sys/kernel/mm/hugepages/hugepages-" + std::to_string(page_kib) + "kB"; }

// As one step, by rename: a reader never sees a half-written number, and the
// rename raises no close-write event of its own.
void replace_file(const fs::path& path, uint64_t value) {
    auto tmp = path.string() + ".new";
    std::ofstream(tmp) << value << "\n";
    fs::rename(tmp, path);
}

}  // namespace

void SimKernel::limit_hugepages(uint64_t page_kib, uint64_t max_total) {
    std::lock_guard lock(mutex_);
    pools_[pool_dir(page_kib)].limit = max_total;
}

void SimKernel::use_hugepages(uint64_t page_kib, int64_t pages) {
    std::lock_guard lock(mutex_);
    auto& pool = pools_[pool_dir(page_kib)];
    pool.in_use = uint64_t(int64_t(pool.in_use) + pages);
    write_pool(pool_dir(page_kib), pool);
}

// Free first, then the count: a reader that sees the new count sees the free pages that go with it.
void SimKernel::write_pool(const std::string& dir, const Pool& pool) {
    fs::path d = fs::path(root_) / dir;
    uint64_t persistent = pool.total;
    replace_file(d / "free_hugepages", persistent > pool.in_use ? persistent - pool.in_use : 0);
    replace_file(d / "surplus_hugepages", pool.in_use > persistent ? pool.in_use - persistent : 0);
    replace_file(d / "nr_hugepages", persistent);
}

void SimKernel::stall_probe(const std::string& address) {
    std::lock_guard lock(mutex_);
    stalled_.insert(address);
}

void SimKernel::on_write(std::function<void(const SimWrite&)> observer) {
    std::lock_guard lock(mutex_);
    observer_ = std::move(observer);
}

std::vector<SimWrite> SimKernel::writes() const {
    std::lock_guard lock(mutex_);
    return writes_;
}

void SimKernel::run() {
    alignas(inotify_event) char buf[4096];
    pollfd fds[2] = {{inotify_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    while (::poll(fds, 2, -1) >= 0 && !(fds[1].revents & POLLIN)) {
        ssize_t n = ::read(inotify_, buf, sizeof buf);
        for (ssize_t off = 0; off < n;) {
            auto* ev = reinterpret_cast<inotify_event*>(buf + off);
            if (ev->len && watched_.count(ev->wd)) handle(watched_[ev->wd], ev->name);
            off += ssize_t(sizeof(inotify_event) + ev->len);
        }
    }
}

std::string SimKernel::driver_of(const std::string& address) const {
    std::error_code ec;
    auto t = fs::read_symlink(fs::path(root_) / "sys/devices/pci0000:00" / address / "driver", ec);
    return ec ? "" : t.filename().string();
}

std::string SimKernel::group_of(const std::string& address) const {
    std::error_code ec;
    auto t = fs::read_symlink(fs::path(root_) / "sys/devices/pci0000:00" / address / "iommu_group", ec);
    return ec ? "" : t.filename().string();
}

void SimKernel::bind(const std::string& address, const std::string& driver) {
    std::error_code ec;
    if (!driver_of(address).empty() || !fs::exists(fs::path(root_) / "sys/bus/pci/drivers" / driver, ec)) return;
    fs::create_symlink(fs::path("../../../bus/pci/drivers") / driver, fs::path(root_) / "sys/devices/pci0000:00" / address / "driver", ec);
    auto group = group_of(address);
    if (driver == "vfio-pci" && !group.empty()) {
        fs::create_directories(fs::path(root_) / "dev/vfio", ec);
        std::ofstream(fs::path(root_) / "dev/vfio/vfio") << "";
        std::ofstream(fs::path(root_) / "dev/vfio" / group) << "";
    }
}

void SimKernel::unbind(const std::string& address) {
    auto was = driver_of(address);
    std::error_code ec;
    fs::remove(fs::path(root_) / "sys/devices/pci0000:00" / address / "driver", ec);
    auto group = group_of(address);
    if (was != "vfio-pci" || group.empty()) return;
    // The group's node lives while any member is still on vfio-pci.
    for (const auto& m : fs::directory_iterator(fs::path(root_) / "sys/kernel/iommu_groups" / group / "devices", ec))
        if (driver_of(m.path().filename().string()) == "vfio-pci") return;
    fs::remove(fs::path(root_) / "dev/vfio" / group, ec);
}

void SimKernel::sync() {
    std::unique_lock lock(mutex_);
    int want = syncs_seen_ + 1;
    std::ofstream(fs::path(root_) / "sys/bus/pci/.sim-sync") << want;
    synced_.wait(lock, [&] { return syncs_seen_ >= want; });
}

void SimKernel::handle(const std::string& dir, const std::string& file) {
    if (file == ".sim-sync") {
        std::lock_guard lock(mutex_);
        ++syncs_seen_;
        synced_.notify_all();
        return;
    }
    if (file.size() > 4 && file.compare(file.size() - 4, 4, ".new") == 0) return;  // replace_file's own
    fs::path path = fs::path(root_) / dir / file;
    std::string value = first_line(path);
    if (file == "driver_override" && value == "(null)") return;  // our own normalisation below
    std::function<void(const SimWrite&)> observer;
    {
        std::lock_guard lock(mutex_);
        writes_.push_back({dir + "/" + file, value});
        if (auto pool = pools_.find(dir); pool != pools_.end() && file == "nr_hugepages") {
            // The kernel grants what it finds, and when lowered keeps the pages in use (as surplus).
            auto asked = value.empty() || value.find_first_not_of("0123456789") != std::string::npos ? pool->second.total
                                                                                                       : uint64_t(std::stoull(value));
            pool->second.total = std::min(asked, std::max(pool->second.limit, pool->second.total));
            write_pool(dir, pool->second);
        }
        observer = observer_;
    }
    if (observer) observer({dir + "/" + file, value});

    auto parent = fs::path(dir).parent_path().filename().string();
    if (file == "driver_override") {
        // The kernel shows a cleared override as "(null)".
        if (value.empty()) std::ofstream(path) << "(null)\n";
    } else if (file == "unbind" && parent == "drivers") {
        if (driver_of(value) == fs::path(dir).filename().string()) unbind(value);
    } else if (file == "bind" && parent == "drivers") {
        bind(value, fs::path(dir).filename().string());
    } else if (file == "drivers_probe") {
        {
            std::lock_guard lock(mutex_);
            if (stalled_.erase(value)) return;
        }
        auto over = first_line(fs::path(root_) / "sys/devices/pci0000:00" / value / "driver_override");
        bind(value, over != "(null)" && !over.empty() ? over : native_[value]);
    }
}

}  // namespace vmrun::testing
