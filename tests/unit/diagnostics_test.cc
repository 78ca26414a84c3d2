#include <doctest/doctest.h>

#include "base/did_you_mean.h"
#include "profile/diagnostics.h"

using namespace vmrun;

TEST_CASE("a diagnostic shows the line and a caret under the column") {
    Diagnostic d{Severity::error, {2, 9}, "bad size"};
    std::string text = "name: x\nmemory: 8Q\n";
    CHECK(render_diagnostic(d, "vm.yaml", text) ==
          "vm.yaml:2:9: error: bad size\n"
          "  2 | memory: 8Q\n"
          "    |         ^\n");
    CHECK(d.headline("vm.yaml") == "vm.yaml:2:9: bad size");
}

TEST_CASE("diagnostics sort by position") {
    Diagnostics ds;
    ds.error({5, 1}, "later");
    ds.warning({2, 3}, "earlier");
    auto s = ds.sorted();
    CHECK(s[0].message == "earlier");
    CHECK(s[1].message == "later");
    CHECK(ds.has_errors());
    Diagnostics only_warnings;
    only_warnings.warning({1, 1}, "w");
    CHECK_FALSE(only_warnings.has_errors());
}

TEST_CASE("did you mean") {
    CHECK(closest_match("memroy", {"memory", "machine", "name"}) == "memory");
    CHECK(closest_match("passthru", {"passthrough", "disks"}).empty());
    CHECK(closest_match("dsiks", {"passthrough", "disks"}) == "disks");
    CHECK(closest_match("zzzzzz", {"memory"}).empty());
    CHECK(did_you_mean("x_gva", {"x_vga", "romfile"}) == " (did you mean 'x_vga'?)");
}
