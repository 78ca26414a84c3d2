// What the commands read from QEMU's answers to query-status, query-balloon
// and query-cpus-fast: QEMU 7.2's answers as recorded, and answers of any
// other shape read as "no value" — never an exception in the middle of a
// command (fuzz_qmp_replies feeds them any JSON).

#include <doctest/doctest.h>

#include "plan/qmp_answers.h"
#include "host/cpu/cpu_pinning.h"

using namespace vmrun;
using vmrun::balloon_bytes_in;
using vmrun::run_state_in;
using Json = nlohmann::json;

TEST_CASE("query-status: the run state, '?' when the answer has none") {
    CHECK(run_state_in(Json::parse(R"({"status": "running", "singlestep": false, "running": true})")) == "running");
    CHECK(run_state_in(Json::parse(R"({"status": "prelaunch", "singlestep": false, "running": false})")) == "prelaunch");
    // json::value() threw type_error on these (vmrun list gave up on every VM).
    for (const char* odd : {"[]", "5", "null", R"({"status": 1})", R"({"running": true})", R"({"status": ["paused"]})"}) {
        CAPTURE(odd);
        CHECK(run_state_in(Json::parse(odd)) == "?");
    }
}

TEST_CASE("query-balloon: the guest's bytes, none when the answer does not say") {
    CHECK(balloon_bytes_in(Json::parse(R"({"actual": 268435456})")) == uint64_t(268435456));
    // A float's conversion to an integer could overflow; a negative size is no size.
    for (const char* odd : {"[]", "7", R"({"actual": "268435456"})", R"({"actual": -1})", R"({"actual": 1e300})", "{}"}) {
        CAPTURE(odd);
        CHECK_FALSE(balloon_bytes_in(Json::parse(odd)));
    }
}

TEST_CASE("query-cpus-fast: each vCPU's thread by index, an error for any other shape") {
    auto threads = vcpu_threads_in(Json::parse(
        R"([{"thread-id": 14409, "props": {"core-id": 1, "thread-id": 0, "socket-id": 0}, "qom-path": "/machine/unattached/device[2]", "cpu-index": 1, "target": "x86_64"},
            {"thread-id": 14408, "props": {"core-id": 0, "thread-id": 0, "socket-id": 0}, "qom-path": "/machine/unattached/device[0]", "cpu-index": 0, "target": "x86_64"}])"));
    CHECK(threads.error.empty());
    REQUIRE(threads.vcpus.size() == 2);
    CHECK(threads.vcpus[0].index == 0);
    CHECK(threads.vcpus[0].thread == 14408);
    for (const char* odd : {"{}", R"([{"cpu-index": 0}])", R"([{"cpu-index": "0", "thread-id": 1}])", "[5]"}) {
        CAPTURE(odd);
        CHECK_FALSE(vcpu_threads_in(Json::parse(odd)).error.empty());
    }
}
