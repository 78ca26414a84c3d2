// The huge page plan, with no host: which hugetlbfs QEMU takes its pages
// from (the profile's path, a mount of the page size, or vmrun's own when it
// allocates), how many pages, and the preallocation threads and where they run.

#include <doctest/doctest.h>

#include <algorithm>

#include "text_has.h"
#include "plan/qemu_argv.h"
#include "profile_fixture.h"

using namespace vmrun;
using namespace vmrun::testing;

namespace {

LaunchPlan plan_with(const std::string& yaml, const HostFacts& facts) {
    auto p = run_pipeline(yaml);
    REQUIRE(p.errors().empty());
    auto planned = make_launch_plan(p.loaded.profile, facts);
    REQUIRE(planned.plan);
    return *planned.plan;
}

}  // namespace

TEST_CASE("hugepages: the mount of the page size is used; with allocate and none, vmrun's own in the runtime folder") {
    auto facts = fixed_facts("t");
    facts.hugetlbfs_mounts = {{2048, "/dev/hugepages"}};
    auto found = plan_with("name: t\nmemory: 4G\nsmp: 4\nhugepages: {size: 2M, allocate: true}\n", facts);
    REQUIRE(found.hugepages);
    CHECK(found.hugepages->mem_path == "/dev/hugepages");
    CHECK_FALSE(found.hugepages->private_mount);
    CHECK(found.hugepages->pages == 2048);
    CHECK(found.hugepages->allocate);

    auto own = plan_with("name: t\nmemory: 4G\nsmp: 4\nhugepages: {size: 1G, allocate: true}\n", facts);
    CHECK(own.hugepages->page_kib == 1048576);
    CHECK(own.hugepages->pages == 4);
    CHECK(own.hugepages->mem_path == "/run/vmrun/t/hugepages");
    CHECK(own.hugepages->private_mount);
    auto argv = build_qemu_argv(own);
    CHECK(has_arg(argv, "memory-backend-file,id=ram,size=4096M,mem-path=/run/vmrun/t/hugepages,prealloc=on,prealloc-threads=4"));

    // Without allocate, where distributions mount them (preflight says how when missing).
    auto reserved = plan_with("name: t\nmemory: 4G\nhugepages: {size: 1G}\n", facts);
    CHECK(reserved.hugepages->mem_path == "/dev/hugepages1G");
    CHECK_FALSE(reserved.hugepages->private_mount);
    auto given = plan_with("name: t\nmemory: 4G\nhugepages: {size: 1G, allocate: true, path: /mnt/huge1g}\n", facts);
    CHECK(given.hugepages->mem_path == "/mnt/huge1g");
    CHECK_FALSE(given.hugepages->private_mount);

    // The older forms: the kernel's default size.
    facts.default_hugepage_kib = 1048576;
    auto legacy = plan_with("name: t\nmemory: 4G\nhugepages: true\n", facts);
    CHECK(legacy.hugepages->page_kib == 1048576);
    CHECK_FALSE(legacy.hugepages->allocate);
    CHECK_FALSE(plan_with("name: t\nmemory: 4G\nhugepages: false\n", facts).hugepages);
}

TEST_CASE("hugepages: preallocation threads run on the pinned vCPUs' CPUs, through a thread-context") {
    auto pinned = plan_with("name: t\nmemory: 2G\nsmp: 4\ncpu:\n  model: max\n  pin: {vcpus: [2, 3, 6, 7], emulator: [0]}\n"
                            "hugepages: {size: 2M, allocate: true}\n",
                            fixed_facts("t"));
    CHECK(pinned.hugepages->prealloc_threads == 4);
    CHECK(pinned.hugepages->prealloc_cpus == std::vector<int>{2, 3, 6, 7});
    auto argv = build_qemu_argv(pinned);
    auto context = std::find(argv.begin(), argv.end(), "thread-context,id=prealloc-cpus,cpu-affinity=2-3,cpu-affinity=6-7");
    auto backend = std::find_if(argv.begin(), argv.end(), [](auto& a) { return a.rfind("memory-backend-file,", 0) == 0; });
    REQUIRE(context != argv.end());
    REQUIRE(backend != argv.end());
    CHECK(context < backend);  // QEMU creates objects in order: the context must exist first
    CHECK(backend->find(",prealloc-threads=4,prealloc-context=prealloc-cpus") != std::string::npos);
    CHECK(has_arg(argv, "q35,accel=kvm,memory-backend=ram"));

    auto single = plan_with("name: t\nmemory: 2G\nhugepages: true\n", fixed_facts("t"));
    auto one = build_qemu_argv(single);
    CHECK(has_arg(one, "memory-backend-file,id=ram,size=2048M,mem-path=/dev/hugepages,prealloc=on"));
}
