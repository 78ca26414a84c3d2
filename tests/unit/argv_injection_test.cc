// Every free-text profile value that reaches QEMU's argv, given ",INJ=1": it
// must be refused at its position or arrive escaped (",,INJ=1") inside an
// option value, or stand as a whole argument QEMU never splits (-kernel,
// -initrd, -append). Nothing may add an option.

#include <doctest/doctest.h>

#include "plan/qemu_argv.h"
#include "profile_fixture.h"

using vmrun::testing::run_pipeline;

namespace {

// Arguments QEMU takes as one opaque value.
bool whole_value_after(const std::string& flag) { return flag == "-kernel" || flag == "-initrd" || flag == "-append"; }

void check_refused_or_escaped(const std::string& what, const std::string& yaml) {
    CAPTURE(what);
    auto p = run_pipeline(yaml);
    if (!p.errors().empty()) return;  // refused at its position
    REQUIRE(p.planned.plan);
    auto argv = vmrun::build_qemu_argv(*p.planned.plan);
    bool seen = false;
    for (size_t i = 1; i < argv.size(); ++i) {
        auto at = argv[i].find("INJ=1");
        if (at == std::string::npos) continue;
        seen = true;
        if (whole_value_after(argv[i - 1])) continue;
        CAPTURE(argv[i]);
        CHECK((at >= 2 && argv[i].compare(at - 2, 2, ",,") == 0));
    }
    CHECK_MESSAGE(seen, "the value never reached the argv, so this case tests nothing");
}

}  // namespace

TEST_CASE("no free-text profile value can add a QEMU option") {
    const std::string base = "name: t\nmemory: 1G\n";
    check_refused_or_escaped("cpu model", base + "cpu: \"max,INJ=1\"\n");
    check_refused_or_escaped("disk path", base + "disks:\n  - path: \"/vm/a,INJ=1.img\"\n");
    check_refused_or_escaped("OVMF code", base + "firmware:\n  type: ovmf\n  code: \"/f/c,INJ=1.fd\"\n");
    check_refused_or_escaped("kernel image", base + "kernel:\n  image: \"/k/vmlinuz,INJ=1\"\n");
    check_refused_or_escaped("kernel cmdline", base + "kernel:\n  image: /k/vmlinuz\n  cmdline: \"console=ttyS0,INJ=1\"\n");
    check_refused_or_escaped("ROM file", base + "passthrough:\n  - host: 0000:03:00.0\n    romfile: \"/r/vbios,INJ=1.rom\"\n");
    check_refused_or_escaped("display listen", base + "display:\n  type: vnc\n  listen: \"127.0.0.1:5900,INJ=1\"\n");
    check_refused_or_escaped("boot order", base + "boot:\n  order: \"c,INJ=1\"\n");
    check_refused_or_escaped("hugepages path", base + "hugepages: \"/dev/hp,INJ=1\"\n");
    check_refused_or_escaped("run_as", base + "run_as: \"nobody,INJ=1\"\n");
    check_refused_or_escaped("tap bridge", base + "network:\n  - type: tap\n    bridge: \"br0,INJ=1\"\n");
    check_refused_or_escaped("tap name", base + "network:\n  - type: tap\n    bridge: br0\n    tap: \"t0,INJ=1\"\n");
    check_refused_or_escaped("hv_vendor_id", base + "cpu:\n  hv_vendor_id: \"a,INJ=1\"\n");
}
