// The qmp client against a scripted peer: every fault gives its own error,
// nothing hangs, and the client stays usable after a timeout.

#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <thread>

#include "qmp/client.h"
#include "fake_qmp_server.h"
#include "temp_dir.h"

using namespace std::chrono_literals;
using vmrun::testing::FakeQmpServer;
using vmrun::testing::TempDir;

namespace {
qmp::Timeouts fast() {
    qmp::Timeouts t;
    t.connect = 2000ms;
    t.command = 500ms;
    t.device = 1000ms;
    return t;
}
}  // namespace

TEST_CASE("qmp client: negotiates and runs a command against a well-behaved peer") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) {
        REQUIRE(FakeQmpServer::negotiate(fd));
        std::string cmd;
        auto id = FakeQmpServer::read_command_id(fd, &cmd);
        CHECK(cmd == "query-status");
        FakeQmpServer::send(fd, R"({"event": "RESUME", "data": {}, "timestamp": {"seconds": 1, "microseconds": 0}})" "\n");
        FakeQmpServer::send(fd, R"({"return": {"status": "running", "running": true}, "id": ")" + id + "\"}\n");
        FakeQmpServer::read_command_id(fd);  // until the client closes
    });
    qmp::Client c({}, fast());
    REQUIRE_FALSE(c.connect_unix(server.path()));
    CHECK(c.version().major == 7);
    auto r = c.execute("query-status");
    REQUIRE(r);
    CHECK(r.value["status"] == "running");
    auto e = c.wait_event("RESUME", nullptr, 100ms);
    CHECK(e.has_value());
}

TEST_CASE("qmp client: no greeting within the timeout") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) { FakeQmpServer::read_command_id(fd); });
    qmp::Client c({}, fast());
    auto t0 = std::chrono::steady_clock::now();
    auto ec = c.connect_unix(server.path());
    CHECK(ec == qmp::errc::no_greeting);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

TEST_CASE("qmp client: a peer that is not QMP") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) {
        FakeQmpServer::send(fd, R"({"hello": "I am not QEMU"})" "\n");
        FakeQmpServer::read_command_id(fd);
    });
    qmp::Client c({}, fast());
    CHECK(c.connect_unix(server.path()) == qmp::errc::no_greeting);
}

TEST_CASE("qmp client: garbage JSON is a protocol violation") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) {
        FakeQmpServer::negotiate(fd);
        FakeQmpServer::read_command_id(fd);
        FakeQmpServer::send(fd, "{\"return\": nonsense}\n");
        FakeQmpServer::read_command_id(fd);
    });
    qmp::Client c({}, fast());
    REQUIRE_FALSE(c.connect_unix(server.path()));
    auto r = c.execute("query-status");
    CHECK(r.ec == qmp::errc::protocol_violation);
    CHECK_FALSE(c.connected());
}

TEST_CASE("qmp client: disconnect in the middle of a reply") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) {
        FakeQmpServer::negotiate(fd);
        auto id = FakeQmpServer::read_command_id(fd);
        FakeQmpServer::send(fd, R"({"return": {"status": "runn)");
        // the connection closes here
    });
    qmp::Client c({}, fast());
    REQUIRE_FALSE(c.connect_unix(server.path()));
    auto r = c.execute("query-status");
    CHECK(r.ec == qmp::errc::connection_lost);
    // Later commands fail at once with the same cause instead of hanging.
    auto again = c.execute("query-status");
    CHECK(again.ec == qmp::errc::connection_lost);
}

TEST_CASE("qmp client: a reply that never comes times out; the late reply is dropped; the client goes on") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) {
        FakeQmpServer::negotiate(fd);
        auto slow = FakeQmpServer::read_command_id(fd);  // never answered in time
        auto next = FakeQmpServer::read_command_id(fd);
        FakeQmpServer::send(fd, R"({"return": {"late": true}, "id": ")" + slow + "\"}\n");
        FakeQmpServer::send(fd, R"({"return": {"status": "running"}, "id": ")" + next + "\"}\n");
        FakeQmpServer::read_command_id(fd);
    });
    qmp::Client c({}, fast());
    REQUIRE_FALSE(c.connect_unix(server.path()));
    auto t0 = std::chrono::steady_clock::now();
    auto r = c.execute("query-status", {}, 300ms);
    CHECK(r.ec == qmp::errc::timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    auto r2 = c.execute("query-status");
    REQUIRE(r2);
    CHECK(r2.value["status"] == "running");
    CHECK(c.connected());
}

TEST_CASE("qmp client: an error reply is command_failed with QEMU's class, and the client goes on") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) {
        FakeQmpServer::negotiate(fd);
        auto id = FakeQmpServer::read_command_id(fd);
        FakeQmpServer::send(fd, R"({"error": {"class": "DeviceNotFound", "desc": "Device 'x' not found"}, "id": ")" + id + "\"}\n");
        id = FakeQmpServer::read_command_id(fd);
        FakeQmpServer::send(fd, R"({"return": {}, "id": ")" + id + "\"}\n");
        FakeQmpServer::read_command_id(fd);
    });
    qmp::Client c({}, fast());
    REQUIRE_FALSE(c.connect_unix(server.path()));
    auto r = c.execute("device_del", {{"id", "x"}});
    CHECK(r.ec == qmp::errc::command_failed);
    CHECK(r.error_class == "DeviceNotFound");
    CHECK(r.error_desc == "Device 'x' not found");
    CHECK(c.execute("cont"));
}

TEST_CASE("qmp client: cancelling an outstanding command") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) {
        FakeQmpServer::negotiate(fd);
        auto first = FakeQmpServer::read_command_id(fd);
        auto second = FakeQmpServer::read_command_id(fd);
        FakeQmpServer::send(fd, R"({"return": {}, "id": ")" + first + "\"}\n");
        FakeQmpServer::send(fd, R"({"return": {"ok": 2}, "id": ")" + second + "\"}\n");
        FakeQmpServer::read_command_id(fd);
    });
    qmp::Client c({}, fast());
    REQUIRE_FALSE(c.connect_unix(server.path()));
    std::optional<qmp::Reply> first;
    auto id = c.async_execute("device_del", {{"id", "x"}}, 5000ms, [&](const qmp::Reply& r) { first = r; });
    c.cancel(id);
    REQUIRE(first);
    CHECK(first->ec == qmp::errc::cancelled);
    auto r = c.execute("query-status");
    REQUIRE(r);
    CHECK(r.value["ok"] == 2);
}

TEST_CASE("qmp client: nothing listening") {
    TempDir dir;
    qmp::Client c({}, fast());
    CHECK(c.connect_unix(dir / "nobody.sock") == qmp::errc::connection_lost);
    CHECK(c.execute("query-status").ec == qmp::errc::connection_lost);
}

TEST_CASE("qmp client: a peer that hangs up on quit has quit; on anything else the connection is lost") {
    TempDir dir;
    FakeQmpServer server(dir / "qmp.sock", [](int fd) {
        FakeQmpServer::negotiate(fd);
        FakeQmpServer::read_command_id(fd);  // quit: close without a reply, as QEMU may
    });
    qmp::Client c({}, fast());
    REQUIRE_FALSE(c.connect_unix(server.path()));
    auto r = c.execute("quit");
    CHECK(r);
    CHECK_FALSE(c.connected());

    TempDir dir2;
    FakeQmpServer other(dir2 / "qmp.sock", [](int fd) {
        FakeQmpServer::negotiate(fd);
        FakeQmpServer::read_command_id(fd);
    });
    qmp::Client c2({}, fast());
    REQUIRE_FALSE(c2.connect_unix(other.path()));
    CHECK(c2.execute("system_powerdown").ec == qmp::errc::connection_lost);
}
