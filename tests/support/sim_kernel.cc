#include "sim_kernel.h"

#include "base/pci_address.h"
#include "sim_sysfs.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace vmrun::testing {

namespace {

std::string first_line(const fs::path& p) {
    std::ifstream in(p);
    std::string s;
    std::getline(in, s);
    return s;
}

unsigned vf_links(const fs::path& pf_dir) {
    unsigned n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(pf_dir, ec)) n += e.path().filename().string().rfind("virtfn", 0) == 0;
    return n;
}

}  // namespace

SimKernel::SimKernel(std::string root) : root_(std::move(root)) {
    inotify_ = ::inotify_init1(IN_CLOEXEC);
    if (::pipe2(stop_, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
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

void SimKernel::watch(const std::string& dir) {
    int wd = ::inotify_add_watch(inotify_, dir.c_str(), IN_CLOSE_WRITE);
    if (wd >= 0) watched_[wd] = fs::relative(dir, root_).string();
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
    if (file == "sriov_numvfs" && value == std::to_string(vf_links(path.parent_path()))) return;  // ours, or a no-op
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
    } else if (file == "sriov_numvfs") {
        set_vf_count(fs::path(dir).filename().string(), value);
    } else if (file == "drivers_probe") {
        {
            std::lock_guard lock(mutex_);
            if (stalled_.erase(value)) return;
        }
        auto over = first_line(fs::path(root_) / "sys/devices/pci0000:00" / value / "driver_override");
        bind(value, over != "(null)" && !over.empty() ? over : native_[value]);
    }
}

void SimKernel::set_vf_count(const std::string& pf, const std::string& value) {
    fs::path pf_dir = fs::path(root_) / "sys/devices/pci0000:00" / pf;
    std::vector<std::string> vfs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(pf_dir, ec))
        if (e.path().filename().string().rfind("virtfn", 0) == 0) vfs.push_back(e.path().filename().string());
    unsigned now = unsigned(vfs.size());
    unsigned asked = value.empty() || value.find_first_not_of("0123456789") != std::string::npos ? now : unsigned(std::stoul(value));
    auto keep = [&](unsigned n) { if (first_line(pf_dir / "sriov_numvfs") != std::to_string(n)) std::ofstream(pf_dir / "sriov_numvfs") << n << "\n"; };
    unsigned total = unsigned(std::stoul(first_line(pf_dir / "sriov_totalvfs")));
    // The PCI core changes a count only from or to 0, and never past the total.
    if (asked == now || (asked != 0 && now != 0) || asked > total) return keep(now);
    if (asked == 0) {
        for (const auto& link : vfs) {
            auto address = fs::read_symlink(pf_dir / link, ec).filename().string();
            auto group = fs::read_symlink(fs::path(root_) / "sys/devices/pci0000:00" / address / "iommu_group", ec).filename().string();
            if (!group.empty()) fs::remove_all(fs::path(root_) / "sys/kernel/iommu_groups" / group, ec);
            fs::remove(fs::path(root_) / "sys/bus/pci/devices" / address, ec);
            fs::remove_all(fs::path(root_) / "sys/devices/pci0000:00" / address, ec);
            fs::remove(pf_dir / link, ec);
        }
        return keep(0);
    }
    std::istringstream sim(first_line(pf_dir / ".sim-sriov"));
    std::string vf_driver;
    int group = 0;
    sim >> vf_driver >> group;
    if (vf_driver == "-") vf_driver.clear();
    auto pf_address = *parse_pci_address(pf);
    unsigned offset = unsigned(std::stoul(first_line(pf_dir / "sriov_offset"))), stride = unsigned(std::stoul(first_line(pf_dir / "sriov_stride")));
    std::string vendor = first_line(pf_dir / "vendor"), device = first_line(pf_dir / "sriov_vf_device"), cls = first_line(pf_dir / "class");
    for (unsigned i = 0; i < asked; ++i) {
        auto address = virtual_function_address(pf_address, offset, stride, i)->str();
        std::string drv = vf_driver;
        add_function(root_, {address.c_str(), vendor.c_str(), device.c_str(), cls.c_str(), drv.c_str(), group + int(i), -1});
        fs::path vf_dir = fs::path(root_) / "sys/devices/pci0000:00" / address;
        fs::create_symlink(fs::path("..") / pf, vf_dir / "physfn");
        fs::create_symlink(fs::path("..") / address, pf_dir / ("virtfn" + std::to_string(i)));
        native_[address] = vf_driver;
        watch(vf_dir.string());
    }
    keep(asked);
}

}  // namespace vmrun::testing
