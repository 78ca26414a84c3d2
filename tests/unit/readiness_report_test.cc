// The detached supervisor's one report to its starter: both ends agree, a
// failure's what, fix and where arrive apart (its text spans lines), and what
// is no report (a supervisor that died mid-write) is not taken for one.
#include <doctest/doctest.h>

#include "run/readiness_report.h"

using vmrun::Failure;

TEST_CASE("readiness report: READY carries the supervisor's pid") {
    auto r = vmrun::parse_readiness_report(vmrun::ready_report(4242));
    REQUIRE(r);
    CHECK(r->supervisor == 4242);
    CHECK(!r->failure);
}

TEST_CASE("readiness report: a failure keeps what, fix and where, lines and quotes included") {
    Failure sent{"QEMU did not start (exit status 1):\nfirst line\n\"quoted\"", "see the log", "/dev/vfio/13"};
    auto r = vmrun::parse_readiness_report(vmrun::failed_report(sent));
    REQUIRE(r);
    REQUIRE(r->failure);
    CHECK(r->failure->what == sent.what);
    CHECK(r->failure->fix == sent.fix);
    CHECK(r->failure->where == sent.where);
    CHECK(r->supervisor == 0);
}

TEST_CASE("readiness report: a cut-short or foreign text is no report") {
    auto whole = vmrun::failed_report({"x", "y", "z"});
    CHECK(!vmrun::parse_readiness_report(whole.substr(0, whole.size() / 2)));
    CHECK(!vmrun::parse_readiness_report(""));
    CHECK(!vmrun::parse_readiness_report("READY "));
    CHECK(!vmrun::parse_readiness_report("READY -1"));
    CHECK(!vmrun::parse_readiness_report("ERROR [1,2]"));
    CHECK(!vmrun::parse_readiness_report("Segmentation fault"));
}
