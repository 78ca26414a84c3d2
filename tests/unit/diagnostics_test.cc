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

TEST_CASE("a very long line is cut around the caret, and the caret still points at the column") {
    std::string value(200000, 'x');
    value[150000] = 'Q';
    std::string text = "name: x\nmemory: " + value + "\n";
    Diagnostic d{Severity::error, {2, 9 + 150000}, "bad size"};
    auto out = render_diagnostic(d, "vm.yaml", text);
    CHECK(out.size() < 400);
    auto first = out.find('\n'), second = out.find('\n', first + 1);
    std::string shown = out.substr(first + 1, second - first - 1), caret = out.substr(second + 1);
    CHECK(shown.rfind("  2 | ...", 0) == 0);
    CHECK(shown.size() > 100);
    CHECK(shown.substr(shown.size() - 3) == "...");
    // The caret sits under the Q.
    CHECK(shown[caret.find('^')] == 'Q');
    // Near the start of a long line: no leading cut.
    Diagnostic early{Severity::error, {2, 1}, "here"};
    auto head = render_diagnostic(early, "vm.yaml", text);
    CHECK(head.find("  2 | memory: xxx") != std::string::npos);
    CHECK(head.size() < 400);
}

TEST_CASE("tens of thousands of problems: the first 50 in full, then a count") {
    std::string text;
    Diagnostics all;
    for (int i = 1; i <= 40000; ++i) {
        text += "k" + std::to_string(i) + ": v\n";
        all.error({i, 1}, "unknown key 'k" + std::to_string(i) + "'");
    }
    auto out = render_diagnostics(all, "big.yaml", text);
    CHECK(out.find("big.yaml:50:1: error: unknown key 'k50'") != std::string::npos);
    CHECK(out.find("big.yaml:51:1:") == std::string::npos);
    CHECK(out.find("big.yaml: ... and 39950 more\n") != std::string::npos);
    CHECK(all.has_errors());
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
