// The QEMU guest agent on a real QEMU and the tiny guest running Debian's
// qemu-ga: vmrun agent runs commands and reports the agent's errors, vmrun
// status shows the guest's version and address, and a guest that ignores
// ACPI (vmrun.noacpi: no power-button handler) still powers off on vmrun stop
// — through the agent, well before the forced quit.

#include <doctest/doctest.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "run_vmrun.h"
#include "text_has.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;

TEST_CASE("guest agent: commands, status from the guest, and a stop of a guest that ignores ACPI") {
    VmUnderTest vm("agent");
    write_file(vm.profile, tiny_guest_agent_profile(vm.name, "", "vmrun.noacpi vmrun.ip=10.0.2.15/24"));
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));
    REQUIRE(has(read_file(vm.state() + "/console.log"), "VMRUN-AGENT-STARTED"));

    // The agent may take a moment after the guest's shell is up.
    CommandResult ping;
    for (int i = 0; i < 20; ++i) {
        ping = run_vmrun(vm.env, {"agent", vm.name, "guest-ping", "--timeout", "3"});
        if (ping.exit_code == 0) break;
    }
    INFO(ping.err);
    REQUIRE(ping.exit_code == 0);
    CHECK(ping.out == "{}\n");
    auto info = run_vmrun(vm.env, {"agent", vm.name, "guest-info"});
    CHECK(info.exit_code == 0);
    CHECK(has(info.out, "\"version\": \"7.2"));
    auto unknown = run_vmrun(vm.env, {"agent", vm.name, "guest-no-such-command"});
    CHECK(unknown.exit_code != 0);
    CHECK(has(unknown.err, "CommandNotFound"));
    auto bad_json = run_vmrun(vm.env, {"agent", vm.name, "guest-ping", "[1]"});
    CHECK(bad_json.exit_code != 0);
    CHECK(has(bad_json.err, "JSON is the command's arguments as one JSON object"));

    auto status = run_vmrun(vm.env, {"status", vm.name});
    CHECK(has(status.out, "agent:   qemu-ga 7.2"));
    CHECK(has(status.out, "  eth0: 10.0.2.15/24"));
    auto json = nlohmann::json::parse(run_vmrun(vm.env, {"status", vm.name, "--json"}).out);
    CHECK(json["guest_agent"]["answering"] == true);
    CHECK(json["guest_agent"]["interfaces"][0]["addresses"][0] == "10.0.2.15/24");

    // shutdown_timeout is 30 s: ACPI goes unanswered for 10, then the agent is asked.
    auto start = std::chrono::steady_clock::now();
    auto stop = run_vmrun(vm.env, {"stop", vm.name});
    auto took = std::chrono::steady_clock::now() - start;
    INFO(stop.out << stop.err);
    CHECK(stop.exit_code == 0);
    CHECK(has(stop.out, "the guest powered off"));
    CHECK(took < 30s);  // not the forced quit at the end of the wait
    CHECK(has(read_file(vm.state() + "/vmrun.log"), "the guest ignored ACPI; asked its guest agent to power it off"));
    CHECK(has(read_file(vm.state() + "/console.log"), "VMRUN-GUEST-POWEROFF (guest agent)"));

    auto gone = run_vmrun(vm.env, {"agent", vm.name, "guest-ping"});
    CHECK(gone.exit_code != 0);
    CHECK(has(gone.err, "has no guest agent port (or is not running)"));
    CHECK(has(gone.err, "set 'guest_agent: true'"));
}
