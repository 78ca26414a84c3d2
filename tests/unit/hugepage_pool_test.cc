// Huge pages on demand against a simulated kernel (sim_kernel answers
// nr_hugepages writes as the kernel does, with a limit standing for memory too
// fragmented): the pool grows by exactly what a VM lacks, goes back by exactly
// that whatever order VMs end in, and a crash at any point or an interrupted
// restore never gives back twice or takes what others added.

#include <doctest/doctest.h>

#include <filesystem>

#include "host/host_restore.h"
#include "host/memory/hugepage_pool.h"
#include "sim_kernel.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t k1G = 1048576;

// A simulated host whose 1G pool has 2 pages, 1 of them in use by someone else.
struct PoolHost {
    TempDir dir;
    std::string root = dir / "sys-root";
    std::unique_ptr<SimKernel> kernel;
    PoolHost() {
        fs::create_directories(root);
        add_hugepage_pool(root, k1G, 2, 1);
        kernel = std::make_unique<SimKernel>(root);
    }
    HugepagePool pool() const {
        kernel->sync();
        return read_hugepage_pool(root, k1G).value();
    }
    VmPaths vm(const std::string& name) const { return {name, dir / ("run/" + name), dir / ("state/" + name)}; }
};

struct VmJournal {
    VmPaths paths;
    Journal journal;
    explicit VmJournal(VmPaths p) : paths(std::move(p)), journal(paths.journal_file()) { fs::create_directories(paths.state_dir); }
    RestoreReport restore() { return make_restorer(paths).restore(journal); }
};

size_t count_entries(const Journal& j, const std::string& action) {
    size_t n = 0;
    for (const auto& e : j.read().entries) n += e.action == action;
    return n;
}

}  // namespace

TEST_CASE("hugetlbfs mounts by page size, as mountinfo shows them") {
    std::string mountinfo =
        "22 1 259:2 / / rw,relatime - ext4 /dev/nvme0n1p2 rw\n"
        "35 22 0:33 / /dev/hugepages rw,relatime shared:14 - hugetlbfs hugetlbfs rw,pagesize=2M\n"
        "36 22 0:34 / /dev/hugepages1G rw,relatime - hugetlbfs none rw,mode=700,pagesize=1024M\n"
        "37 22 0:35 / /mnt/old\\040style rw - hugetlbfs none rw\n"
        "38 22 0:36 / /mnt/second rw - hugetlbfs none rw,pagesize=2048K\n";
    auto mounts = parse_hugetlbfs_mounts(mountinfo, 2048);
    CHECK(mounts.size() == 2);
    CHECK(mounts[2048] == "/dev/hugepages");  // the first of each size
    CHECK(mounts[k1G] == "/dev/hugepages1G");
    CHECK(parse_hugetlbfs_mounts("40 22 0:37 / /hp rw - hugetlbfs none rw\n", k1G)[k1G] == "/hp");  // no pagesize: the default
    CHECK(parse_page_size_kib("1G") == k1G);
    CHECK(parse_page_size_kib("2M") == 2048);
    CHECK(parse_page_size_kib("2x") == 0);
    CHECK(page_size_name(k1G) == "1G");
    CHECK(page_size_name(2048) == "2M");
}

TEST_CASE("the pool grows by what the VM lacks and is journaled before and after the write") {
    PoolHost host;
    VmJournal a(host.vm("a"));
    std::vector<std::string> journal_at_write;
    host.kernel->on_write([&](const SimWrite& w) {
        if (fs::path(w.file).filename() == "nr_hugepages") journal_at_write.push_back(read_file(a.paths.journal_file()));
    });
    auto out = raise_hugepage_pool({host.root, k1G, 4}, a.journal);
    std::string said = out.failure ? out.failure->text() : "";
    INFO(said);
    REQUIRE(!out.failure);
    CHECK(out.done == "raised the pool of 1G huge pages from 2 to 5 for this VM");
    CHECK(host.pool().total == 5);  // 1 was free, 3 added
    CHECK(host.pool().free == 4);
    auto entries = a.journal.read().entries;
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].args["before"] == 2);
    CHECK(entries[0].args["asked"] == 3);
    CHECK(entries[1].args["added"] == 3);
    REQUIRE(journal_at_write.size() == 1);
    CHECK(journal_at_write[0].find("\"asked\":3") != std::string::npos);  // recorded before the kernel saw the write

    // Enough free pages: nothing changes, nothing journaled.
    VmJournal b(host.vm("b"));
    auto small = raise_hugepage_pool({host.root, k1G, 3}, b.journal);
    CHECK(!small.failure);
    CHECK(host.pool().total == 5);
    CHECK_FALSE(b.journal.exists());
}

TEST_CASE("two VMs end in either order and the pool is what it was; pages in use are never taken") {
    for (bool a_first : {true, false}) {
        CAPTURE(a_first);
        PoolHost host;
        VmJournal a(host.vm("a")), b(host.vm("b"));
        REQUIRE(!raise_hugepage_pool({host.root, k1G, 4}, a.journal).failure);
        host.kernel->use_hugepages(k1G, 4);  // a's QEMU takes its pages
        REQUIRE(!raise_hugepage_pool({host.root, k1G, 2}, b.journal).failure);
        host.kernel->use_hugepages(k1G, 2);
        CHECK(host.pool().total == 7);
        CHECK(host.pool().free == 0);

        auto& first = a_first ? a : b;
        auto& second = a_first ? b : a;
        host.kernel->use_hugepages(k1G, a_first ? -4 : -2);  // its QEMU ends
        auto r1 = first.restore();
        CHECK(r1.ok());
        CHECK(host.pool().total == (a_first ? 4 : 5));
        CHECK(host.pool().free == (a_first ? 1 : 0));  // the other VM's pages and the outsider's stay in use
        host.kernel->use_hugepages(k1G, a_first ? -2 : -4);
        CHECK(second.restore().ok());
        CHECK(host.pool().total == 2);
        CHECK(host.pool().free == 1);
    }
}

TEST_CASE("lowered while the VM's QEMU still holds its pages: the kernel keeps them until freed") {
    PoolHost host;
    VmJournal a(host.vm("a"));
    REQUIRE(!raise_hugepage_pool({host.root, k1G, 4}, a.journal).failure);
    host.kernel->use_hugepages(k1G, 4);
    CHECK(a.restore().ok());
    CHECK(host.pool().total == 2);  // the persistent pool is back; 3 pages live on as surplus
    CHECK(std::stoull(read_file(host.root + "/sys/kernel/mm/hugepages/hugepages-1048576kB/surplus_hugepages")) == 3);
    host.kernel->use_hugepages(k1G, -4);
    CHECK(host.pool().free == 1);
}

TEST_CASE("a kernel that finds fewer pages: refused with the numbers and the boot parameters, what it got given back") {
    PoolHost host;
    host.kernel->limit_hugepages(k1G, 3);
    VmJournal a(host.vm("a"));
    auto out = raise_hugepage_pool({host.root, k1G, 4}, a.journal);
    REQUIRE(out.failure);
    CHECK(out.failure->where.find("hugepages-1048576kB") != std::string::npos);
    CHECK(out.failure->what.find("the kernel found only 1 of the 3 more 1G huge pages this VM needs (4 in all; 4096 MiB of memory available") == 0);
    CHECK(out.failure->fix.find("hugepagesz=1G hugepages=4 default_hugepagesz=1G") != std::string::npos);
    CHECK(host.pool().total == 3);
    auto r = a.restore();
    CHECK(r.ok());
    CHECK(host.pool().total == 2);
    CHECK_FALSE(a.journal.exists());
}

TEST_CASE("a size the kernel has no pool of is refused before anything is journaled") {
    PoolHost host;
    VmJournal a(host.vm("a"));
    auto out = raise_hugepage_pool({host.root, 2048, 4}, a.journal);
    REQUIRE(out.failure);
    CHECK(out.failure->what.find("this kernel has no pool of 2M huge pages") == 0);
    CHECK_FALSE(a.journal.exists());
}

TEST_CASE("a crash between the journal and the write, or between the write and its record") {
    PoolHost host;
    auto asked = [&](VmJournal& v) {
        v.journal.record({"hugepages", {{"key", "hugepages-1048576kB"}, {"sysroot", host.root}, {"size_kib", k1G}, {"before", 2}, {"asked", 3}}});
    };
    SUBCASE("the write never happened: nothing to give back") {
        VmJournal a(host.vm("a"));
        asked(a);
        CHECK(a.restore().ok());
        CHECK(host.pool().total == 2);
    }
    SUBCASE("the write happened, its record did not: what the pool grew by, at most what was asked") {
        VmJournal a(host.vm("a"));
        asked(a);
        write_file(host.root + "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "5");
        CHECK(host.pool().free == 4);
        CHECK(a.restore().ok());
        CHECK(host.pool().total == 2);
    }
}

TEST_CASE("an interrupted restore run again does not give back twice") {
    PoolHost host;
    VmJournal a(host.vm("a"));
    REQUIRE(!raise_hugepage_pool({host.root, k1G, 4}, a.journal).failure);
    a.journal.record({"later-change", nlohmann::json::object()});
    auto restorer = make_restorer(a.paths);
    int attempts = 0;
    restorer.on("later-change", [](const nlohmann::json&) { return ""; }, [&](const nlohmann::json&) {
        return attempts++ == 0 ? UndoOutcome::failed({"not this time", "", ""}) : UndoOutcome::nothing();
    });
    auto first = restorer.restore(a.journal);
    CHECK_FALSE(first.ok());
    CHECK(host.pool().total == 2);
    CHECK(count_entries(a.journal, "settled") == 1);
    auto second = restorer.restore(a.journal);
    CHECK(second.ok());
    CHECK(host.pool().total == 2);  // not 0 (or below what the outsider holds)
}

TEST_CASE("after a reboot the pool started afresh: an entry of the earlier boot gives nothing back") {
    PoolHost host;
    fs::create_directories(host.root + "/proc/sys/kernel/random");
    write_file(host.root + "/proc/sys/kernel/random/boot_id", "11111111-2222\n");
    VmJournal a(host.vm("a"));
    REQUIRE(!raise_hugepage_pool({host.root, k1G, 4}, a.journal).failure);
    CHECK(host.pool().total == 5);
    write_file(host.root + "/proc/sys/kernel/random/boot_id", "33333333-4444\n");
    CHECK(a.restore().ok());
    CHECK(host.pool().total == 5);  // as if reserved at the new boot: not ours to lower
}

TEST_CASE("journal entries vmrun could not have written are skipped") {
    PoolHost host;
    VmJournal a(host.vm("a"));
    a.journal.record({"hugepages", {{"key", "hugepages-1048576kB"}, {"sysroot", "relative/root"}, {"size_kib", k1G}, {"added", 1}}});
    a.journal.record({"hugepages", {{"key", "hugepages-4kB"}, {"sysroot", host.root}, {"size_kib", 4}, {"added", 1}}});
    a.journal.record({"hugepages", {{"key", "hugepages-1048576kB"}, {"sysroot", host.root}, {"size_kib", k1G}}});
    a.journal.record({"hugetlbfs-mount", {{"path", "/dev/hugepages"}}});
    auto r = a.restore();
    CHECK(r.skipped.size() == 4);
    CHECK(host.pool().total == 2);
}

TEST_CASE("a pool count past 64 bits reads as no pool, not an exception") {
    TempDir root;
    add_hugepage_pool(root.path.string(), 2048, 0, 0);
    write_file(root / "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "99999999999999999999999\n");
    std::optional<HugepagePool> pool;
    CHECK_NOTHROW(pool = read_hugepage_pool(root.path, 2048));
    CHECK_FALSE(pool);
}
