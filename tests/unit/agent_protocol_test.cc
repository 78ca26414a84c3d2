// The guest agent's protocol fed by hand: what an earlier client left is
// dropped up to the agent's 0xFF and the sync answer with our token; replies
// and errors in order; anything else from the guest is a protocol violation.

#include <doctest/doctest.h>

#include "qmp/agent_protocol.h"

using qmp::AgentProtocol;

TEST_CASE("agent: the sync starts with 0xFF and drops stale answers before the agent's own 0xFF and token") {
    AgentProtocol p;
    auto wire = p.sync(4242);
    CHECK(wire == "\xff{\"arguments\":{\"id\":4242},\"execute\":\"guest-sync-delimited\"}\n");
    // An earlier client's late answer, then an answer to someone else's sync.
    auto before = p.feed("{\"return\": {\"version\": \"old\"}}\n");
    CHECK_FALSE(before.synced);
    CHECK_FALSE(before.failure);
    auto other = p.feed("\xff{\"return\": 7}\n");
    CHECK_FALSE(other.synced);
    CHECK(other.dropped == 1);
    auto ours = p.feed("{\"return\": 4242}\n");
    CHECK(ours.synced);
    CHECK(p.phase() == AgentProtocol::Phase::ready);
}

TEST_CASE("agent: a command's answer or error, split over reads; a command without answer leaves it ready") {
    AgentProtocol p;
    (void)p.sync(1);
    REQUIRE(p.feed("\xff{\"return\": 1}").synced);
    CHECK(p.command("guest-info") == "{\"execute\":\"guest-info\"}\n");
    CHECK_FALSE(p.feed("{\"return\": {\"vers").reply);
    auto done = p.feed("ion\": \"7.2.22\"}}\n");
    REQUIRE(done.reply);
    CHECK(done.reply->value["version"] == "7.2.22");

    (void)p.command("guest-nope");
    auto err = p.feed("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command guest-nope has not been found\"}}");
    REQUIRE(err.reply);
    CHECK(err.reply->ec == qmp::errc::command_failed);
    CHECK(err.reply->describe() == "CommandNotFound: The command guest-nope has not been found");

    CHECK(p.command_without_reply("guest-shutdown", {{"mode", "powerdown"}}) ==
          "{\"arguments\":{\"mode\":\"powerdown\"},\"execute\":\"guest-shutdown\"}\n");
    CHECK(p.phase() == AgentProtocol::Phase::ready);
}

TEST_CASE("agent: an answer nobody asked for, one without return or error, or too much is refused") {
    AgentProtocol unasked;
    (void)unasked.sync(1);
    REQUIRE(unasked.feed("\xff{\"return\": 1}").synced);
    auto extra = unasked.feed("{\"return\": {}}");
    CHECK(extra.failure == qmp::errc::protocol_violation);
    CHECK(unasked.phase() == AgentProtocol::Phase::failed);
    CHECK_FALSE(unasked.feed("{\"return\": {}}").reply);

    AgentProtocol shapeless;
    (void)shapeless.sync(1);
    REQUIRE(shapeless.feed("\xff{\"return\": 1}").synced);
    (void)shapeless.command("guest-info");
    CHECK(shapeless.feed("{\"QMP\": {}}").failure == qmp::errc::protocol_violation);

    qmp::Limits small;
    small.max_message = 64;
    AgentProtocol big(small);
    (void)big.sync(1);
    REQUIRE(big.feed("\xff{\"return\": 1}").synced);
    (void)big.command("guest-info");
    CHECK(big.feed("{\"return\": \"" + std::string(100, 'a') + "\"}").failure == qmp::errc::message_too_large);
}
