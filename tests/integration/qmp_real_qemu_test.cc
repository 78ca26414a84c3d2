// The qmp client against a real QEMU: TCP as well as unix sockets, fd passing
// over SCM_RIGHTS, a reply of hundreds of KiB, and events.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qmp/client.h"
#include "qemu_process.h"
#include "temp_dir.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;

namespace {

int free_tcp_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

std::vector<std::string> bare_qemu(const std::string& qmp) {
    return {qemu_binary(), "-machine", "none", "-nodefaults", "-display", "none", "-qmp", qmp};
}

}  // namespace

TEST_CASE("real QEMU over TCP on loopback") {
    TempDir dir;
    int port = free_tcp_port();
    QemuProcess qemu(bare_qemu("tcp:127.0.0.1:" + std::to_string(port) + ",server=on,wait=off"), dir / "qemu.log");
    qmp::Client c;
    std::error_code ec;
    for (int i = 0; i < 100; ++i) {  // until QEMU listens
        qmp::Client probe;
        ec = probe.connect_tcp("127.0.0.1:" + std::to_string(port));
        if (!ec) break;
        std::this_thread::sleep_for(50ms);
    }
    REQUIRE_MESSAGE(!ec, qemu.output());
    REQUIRE_FALSE(c.connect_tcp("127.0.0.1:" + std::to_string(port)));
    CHECK(c.version().major >= 7);
    auto r = c.execute("query-status");
    REQUIRE(r);
    CHECK(r.value.contains("status"));
    CHECK(c.execute("quit"));
    CHECK(qemu.wait_exit(10s) == 0);
}

TEST_CASE("real QEMU: fd passing, a large reply, a refused command, events") {
    TempDir dir;
    std::string sock = dir / "qmp.sock";
    QemuProcess qemu(bare_qemu("unix:" + sock + ",server=on,wait=off"), dir / "qemu.log");
    REQUIRE(wait_for_path(sock, qemu, 20s));
    qmp::Client c;
    REQUIRE_FALSE(c.connect_unix(sock));

    // Without an fd attached QEMU refuses getfd; with one it keeps it under the name.
    auto bare = c.execute("getfd", {{"fdname", "nofd"}});
    CHECK(bare.ec == qmp::errc::command_failed);
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    auto passed = c.send_fd(fd, "devnull");
    ::close(fd);
    REQUIRE_MESSAGE(passed, passed.describe());
    CHECK(c.execute("closefd", {{"fdname", "devnull"}}));
    CHECK(c.execute("closefd", {{"fdname", "devnull"}}).ec == qmp::errc::command_failed);  // it was there once

    auto schema = c.execute("query-qmp-schema");
    REQUIRE(schema);
    CHECK(schema.value.dump().size() > 100 * 1024);

    auto bad = c.execute("no-such-command");
    CHECK(bad.ec == qmp::errc::command_failed);
    CHECK(bad.error_class == "CommandNotFound");
    CHECK(c.connected());

    CHECK(c.execute("stop"));
    auto stop_event = c.wait_event("STOP", nullptr, 5s);
    CHECK(stop_event.has_value());
    CHECK(c.execute("quit"));
    CHECK(qemu.wait_exit(10s) == 0);
}
