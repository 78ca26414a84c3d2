// Reset methods of passed functions (kernels 5.15+): a function without one
// and an AMD GPU with the reset bug are warned about; with vendor-reset
// loaded, its device_specific reset is selected for the VM's lifetime under
// the journal and put back after, unless someone changed it since.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "host/host_restore.h"
#include "host/journal.h"
#include "host/pci/bind_functions.h"
#include "host/pci/reset_method.h"
#include "host/sysfs_io.h"
#include "pci_addresses.h"
#include "sim_kernel.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

fs::path dev(const TempDir& root, const char* address) { return root.path / "sys/bus/pci/devices" / address; }

void put(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// The i9-9900K host with its 2080 Ti turned into a Navi 10 (RX 5700 XT, 1002:731f).
void make_navi(const TempDir& root) {
    put(dev(root, "0000:01:00.0") / "vendor", "0x1002\n");
    put(dev(root, "0000:01:00.0") / "device", "0x731f\n");
}

// The GPU's four functions bound as a start binds them.
BindResult bind_gpu_slot(const TempDir& root, Journal& journal) {
    return bind_functions({root.path.string(), addrs({"01:00.0", "01:00.1", "01:00.2", "01:00.3"}), {}, {}, {}, std::nullopt}, journal);
}

bool warned(const std::vector<std::string>& warnings, const std::string& text) {
    for (const auto& w : warnings)
        if (w.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("reset methods: read from sysfs; none on an old kernel, an empty list when the function has none") {
    TempDir root;
    sim_i9_9900k(root.path.string());
    auto gpu = *parse_pci_address("01:00.0");
    CHECK_FALSE(read_reset_methods(root.path.string(), gpu));
    put(dev(root, "0000:01:00.0") / "reset_method", "flr bus\n");
    CHECK(*read_reset_methods(root.path.string(), gpu) == std::vector<std::string>{"flr", "bus"});
    put(dev(root, "0000:01:00.0") / "reset_method", "\n");
    CHECK(read_reset_methods(root.path.string(), gpu)->empty());
}

TEST_CASE("reset methods: an AMD GPU with the reset bug without vendor-reset, and a function without any reset, are warned about") {
    TempDir root, state;
    sim_i9_9900k(root.path.string());
    SimKernel kernel(root.path.string());
    make_navi(root);
    put(dev(root, "0000:01:00.0") / "reset_method", "bus\n");
    put(dev(root, "0000:01:00.2") / "reset_method", "\n");
    Journal journal(state / "journal");
    auto bound = bind_gpu_slot(root, journal);
    REQUIRE(bound.ok());
    CHECK(warned(bound.warnings, "0000:01:00.0 [1002:731f] is an AMD GPU whose own resets fail (the AMD reset bug)"));
    CHECK(warned(bound.warnings, "modprobe vendor-reset"));
    CHECK(warned(bound.warnings, "0000:01:00.2 [10de:1ad6] has no reset method"));
    CHECK_FALSE(warned(bound.warnings, "0000:01:00.1"));
    // Without the module nothing is written to reset_method.
    for (const auto& w : kernel.writes())
        if (w.file.find("reset_method") != std::string::npos) CHECK(w.value != "device_specific");
    CHECK(make_restorer({}).restore(journal).ok());
}

TEST_CASE("reset methods: with vendor-reset loaded, device_specific for the VM's lifetime, journaled first, put back after") {
    TempDir root, state;
    sim_i9_9900k(root.path.string());
    SimKernel kernel(root.path.string());
    make_navi(root);
    fs::create_directories(root.path / "sys/module/vendor_reset");
    put(dev(root, "0000:01:00.0") / "reset_method", "flr bus\n");
    Journal journal(state / "journal");
    auto bound = bind_gpu_slot(root, journal);
    REQUIRE(bound.ok());
    CHECK_FALSE(warned(bound.warnings, "AMD reset bug"));
    CHECK(warned(bound.done, "0000:01:00.0 resets through vendor-reset"));
    kernel.sync();
    CHECK(read_first_line(dev(root, "0000:01:00.0") / "reset_method") == "device_specific");
    auto entries = journal.read().entries;
    REQUIRE(!entries.empty());
    CHECK(entries[0].action == "reset-method");  // before the write, and before the bind
    CHECK(entries[0].args["before"] == "flr bus");

    SUBCASE("the replay puts the kernel's list back") {
        auto report = make_restorer({}).restore(journal);
        CHECK(report.ok());
        kernel.sync();
        CHECK(read_first_line(dev(root, "0000:01:00.0") / "reset_method") == "flr bus");
    }
    SUBCASE("someone chose another method since: left as it is, and said") {
        put(dev(root, "0000:01:00.0") / "reset_method", "bus\n");
        auto report = make_restorer({}).restore(journal);
        CHECK(report.ok());
        bool said = false;
        for (const auto& l : report.left_alone) said = said || l.find("not vmrun's device_specific") != std::string::npos;
        CHECK(said);
        CHECK(read_first_line(dev(root, "0000:01:00.0") / "reset_method") == "bus");
    }
}

TEST_CASE("reset methods: a journal entry that is not vmrun's is never acted on") {
    CHECK(check_reset_method_entry({{"sysroot", "/"}, {"address", "0000:01:00.0"}, {"before", "flr bus"}}) == "");
    CHECK(check_reset_method_entry({{"sysroot", "rel"}, {"address", "0000:01:00.0"}, {"before", "flr"}}) != "");
    CHECK(check_reset_method_entry({{"sysroot", "/"}, {"address", "../../x"}, {"before", "flr"}}) != "");
    CHECK(check_reset_method_entry({{"sysroot", "/"}, {"address", "0000:01:00.0"}}) != "");
    CHECK(check_reset_method_entry({{"sysroot", "/"}, {"address", "0000:01:00.0"}, {"before", "flr\nbus"}}) != "");
}
