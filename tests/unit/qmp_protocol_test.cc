// The QMP core, fed bytes by hand: no sockets, no QEMU.

#include <doctest/doctest.h>

#include "qmp/protocol.h"

using namespace qmp;

namespace {

const std::string kGreeting =
    R"({"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7"}, "capabilities": ["oob"]}})"
    "\r\n";

std::string reply(uint64_t id, const std::string& ret = "{}") {
    return R"({"return": )" + ret + R"(, "id": ")" + command_id(id) + "\"}\r\n";
}

std::string event(const std::string& name) {
    return R"({"timestamp": {"seconds": 1700000000, "microseconds": 5}, "event": ")" + name + R"(", "data": {"device": "net1"}})" "\r\n";
}

// A protocol past negotiation.
Protocol ready() {
    Protocol p;
    auto out = p.feed(kGreeting);
    REQUIRE(p.phase() == Protocol::Phase::negotiating);
    REQUIRE(out.to_send.find("qmp_capabilities") != std::string::npos);
    auto id = nlohmann::json::parse(out.to_send)["id"].get<std::string>();
    auto done = p.feed(R"({"return": {}, "id": ")" + id + "\"}\r\n");
    REQUIRE(done.became_ready);
    REQUIRE(p.phase() == Protocol::Phase::ready);
    return p;
}

}  // namespace

TEST_CASE("greeting, then qmp_capabilities, then ready") {
    Protocol p;
    CHECK(p.phase() == Protocol::Phase::greeting);
    auto out = p.feed(kGreeting);
    CHECK(p.version().major == 7);
    CHECK(p.version().minor == 2);
    CHECK(p.version().micro == 22);
    auto cmd = nlohmann::json::parse(out.to_send);
    CHECK(cmd["execute"] == "qmp_capabilities");
    CHECK(cmd["id"].is_string());
    CHECK_FALSE(out.became_ready);
    auto done = p.feed(R"({"return": {}, "id": )" + cmd["id"].dump() + "}\n");
    CHECK(done.became_ready);
    CHECK(done.replies.empty());  // the negotiation reply is the core's own
}

TEST_CASE("a first message that is not a greeting is no_greeting") {
    Protocol p;
    auto out = p.feed(R"({"return": {}})" "\n");
    CHECK(out.failure == errc::no_greeting);
    CHECK(p.phase() == Protocol::Phase::failed);
}

TEST_CASE("refused negotiation is a protocol violation") {
    Protocol p;
    auto out = p.feed(kGreeting);
    auto id = nlohmann::json::parse(out.to_send)["id"].get<std::string>();
    auto r = p.feed(R"({"error": {"class": "CommandNotFound", "desc": "x"}, "id": ")" + id + "\"}\n");
    CHECK(r.failure == errc::protocol_violation);
}

TEST_CASE("commands get unique ids; replies are matched by id in any order") {
    auto p = ready();
    auto [a, wa] = p.command("query-status");
    auto [b, wb] = p.command("query-pci");
    CHECK(a != b);
    CHECK(nlohmann::json::parse(wa)["id"] == command_id(a));
    CHECK(nlohmann::json::parse(wb)["execute"] == "query-pci");
    CHECK(p.pending() == 2);
    auto out = p.feed(reply(b, R"([1])") + reply(a, R"({"status": "running"})"));
    REQUIRE(out.replies.size() == 2);
    CHECK(out.replies[0].first == b);
    CHECK(out.replies[0].second.value == nlohmann::json::array({1}));
    CHECK(out.replies[1].first == a);
    CHECK(out.replies[1].second.value["status"] == "running");
    CHECK(p.pending() == 0);
}

TEST_CASE("arguments are sent only when given") {
    auto p = ready();
    auto [id1, w1] = p.command("device_del", {{"id", "net1"}});
    CHECK(nlohmann::json::parse(w1)["arguments"]["id"] == "net1");
    auto [id2, w2] = p.command("query-status");
    CHECK_FALSE(nlohmann::json::parse(w2).contains("arguments"));
}

TEST_CASE("events before, between and after replies are events, never replies") {
    auto p = ready();
    auto [a, wa] = p.command("device_del", {{"id", "net1"}});
    auto [b, wb] = p.command("query-status");
    auto out = p.feed(event("RESET") + reply(a) + event("DEVICE_DELETED") + reply(b, R"({"status": "running"})") + event("STOP"));
    REQUIRE(out.replies.size() == 2);
    REQUIRE(out.events.size() == 3);
    CHECK(out.events[0].name == "RESET");
    CHECK(out.events[1].name == "DEVICE_DELETED");
    CHECK(out.events[1].data["device"] == "net1");
    CHECK(out.events[1].timestamp == doctest::Approx(1700000000.000005));
    CHECK(out.events[2].name == "STOP");
}

TEST_CASE("an event arriving before the negotiation reply is kept") {
    Protocol p;
    auto out = p.feed(kGreeting);
    auto id = nlohmann::json::parse(out.to_send)["id"].get<std::string>();
    auto r = p.feed(event("RTC_CHANGE") + R"({"return": {}, "id": ")" + id + "\"}\n");
    CHECK(r.became_ready);
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].name == "RTC_CHANGE");
}

TEST_CASE("a message split over many reads, byte by byte") {
    auto p = ready();
    auto [a, wa] = p.command("query-status");
    std::string bytes = reply(a, R"({"status": "paused", "text": "a } brace \" and quote {"})");
    size_t got = 0;
    for (char c : bytes) {
        auto out = p.feed(std::string_view(&c, 1));
        got += out.replies.size();
        CHECK_FALSE(out.failure);
    }
    CHECK(got == 1);
}

TEST_CASE("a 1 MiB reply arrives whole, in 4 KiB reads") {
    auto p = ready();
    auto [a, wa] = p.command("query-qmp-schema");
    std::string big(1 << 20, 'x');
    std::string bytes = reply(a, nlohmann::json(big).dump());
    std::vector<std::pair<uint64_t, Reply>> replies;
    for (size_t off = 0; off < bytes.size(); off += 4096) {
        auto out = p.feed(std::string_view(bytes).substr(off, 4096));
        for (auto& r : out.replies) replies.push_back(r);
    }
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].second.value.get<std::string>().size() == big.size());
}

TEST_CASE("error replies carry QEMU's class and description") {
    auto p = ready();
    auto [a, wa] = p.command("device_add", {{"driver", "nope"}});
    auto out = p.feed(R"({"error": {"class": "GenericError", "desc": "'nope' is not a valid device model name"}, "id": ")" +
                      command_id(a) + "\"}\n");
    REQUIRE(out.replies.size() == 1);
    const auto& r = out.replies[0].second;
    CHECK(r.ec == errc::command_failed);
    CHECK(r.error_class == "GenericError");
    CHECK(r.describe() == "GenericError: 'nope' is not a valid device model name");
    CHECK(p.phase() == Protocol::Phase::ready);
}

TEST_CASE("a late reply to a cancelled command is dropped and the protocol goes on") {
    auto p = ready();
    auto [a, wa] = p.command("query-status");
    p.cancel(a);
    CHECK(p.pending() == 0);
    auto [b, wb] = p.command("query-status");
    auto out = p.feed(reply(a) + reply(b, R"({"status": "running"})"));
    CHECK(out.dropped_replies == 1);
    REQUIRE(out.replies.size() == 1);
    CHECK(out.replies[0].first == b);
    CHECK_FALSE(out.failure);
}

TEST_CASE("garbage, bad JSON and replies to nobody are protocol violations") {
    {
        auto p = ready();
        CHECK(p.feed("hello\n").failure == errc::protocol_violation);
    }
    {
        auto p = ready();
        CHECK(p.feed("{\"return\": }\n").failure == errc::protocol_violation);
    }
    {
        auto p = ready();
        CHECK(p.feed(reply(999)).failure == errc::protocol_violation);
    }
    {
        auto p = ready();
        CHECK(p.feed(R"({"return": {}})" "\n").failure == errc::protocol_violation);
    }
    {
        auto p = ready();
        CHECK(p.feed(R"({"something": 1})" "\n").failure == errc::protocol_violation);
    }
}

// A hostile peer (a QEMU a guest escaped into) must end the conversation with
// a typed error, never crash or exhaust the client.
TEST_CASE("hostile peer: nesting a million levels deep is refused before parsing") {
    auto p = ready();
    std::string deep = "{\"return\": " + std::string(1000000, '[');
    auto out = p.feed(deep);
    CHECK(out.failure == errc::nesting_too_deep);
    CHECK(p.phase() == Protocol::Phase::failed);
    // Nothing more is taken in after the failure.
    CHECK(p.feed(reply(1)).replies.empty());
}

TEST_CASE("hostile peer: a message over the size limit, and an endless string, stop the stream") {
    Limits small;
    small.max_message = 4096;
    {
        Protocol p(small);
        p.feed(kGreeting);
        auto out = p.feed("{\"return\": \"" + std::string(5000, 'x') + "\"}\n");
        CHECK(out.failure == errc::message_too_large);
    }
    {
        Protocol p(small);
        p.feed(kGreeting);
        // An endless string fed a chunk at a time is cut at the limit, not buffered.
        Protocol::Output out;
        int chunks = 0;
        std::string open = "{\"return\": \"";
        out = p.feed(open);
        while (!out.failure && chunks < 100) {
            out = p.feed(std::string(1000, 'y'));
            ++chunks;
        }
        CHECK(out.failure == errc::message_too_large);
        CHECK(chunks <= 5);
    }
    // The default limit takes QEMU's largest real reply with room to spare.
    CHECK(Limits{}.max_message >= 16u * 200 * 1024);
}

TEST_CASE("hostile peer: fields of the wrong type are protocol violations, not exceptions") {
    {
        Protocol p;
        CHECK(p.feed("{\"QMP\": 1}\n").failure == errc::no_greeting);
    }
    {
        Protocol p;  // a greeting whose version fields are all the wrong types
        auto out = p.feed(R"({"QMP": {"version": {"qemu": {"major": "7", "minor": [], "micro": 1e300}, "package": 5}}})" "\n");
        CHECK_FALSE(out.failure);
        CHECK(p.version().major == 0);
        CHECK(p.version().package.empty());
    }
    {
        auto p = ready();
        auto [id, wire] = p.command("query-status");
        auto out = p.feed(R"({"error": "just a string", "id": ")" + command_id(id) + "\"}\n");
        CHECK(out.failure == errc::protocol_violation);
    }
    {
        auto p = ready();
        auto [id, wire] = p.command("query-status");
        auto out = p.feed(R"({"error": {"class": 7, "desc": null}, "id": ")" + command_id(id) + "\"}\n");
        REQUIRE_FALSE(out.failure);
        REQUIRE(out.replies.size() == 1);
        CHECK(out.replies[0].second.error_class == "GenericError");
    }
    {
        auto p = ready();
        CHECK(p.feed(R"({"event": 42, "data": {}})" "\n").failure == errc::protocol_violation);
    }
    {
        auto p = ready();  // timestamp and data of the wrong types are ignored, the event kept
        auto out = p.feed(R"({"event": "STOP", "data": 3, "timestamp": "now"})" "\n");
        REQUIRE(out.events.size() == 1);
        CHECK(out.events[0].data.is_object());
    }
    {
        auto p = ready();
        CHECK(p.feed(R"({"return": {}, "id": 17})" "\n").failure == errc::protocol_violation);
    }
    {
        auto p = ready();  // not UTF-8
        CHECK(p.feed("{\"return\": \"\x83\xff\", \"id\": \"vmrun-2\"}\n").failure == errc::protocol_violation);
    }
}
