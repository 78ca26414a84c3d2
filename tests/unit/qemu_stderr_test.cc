// QEMU's stderr reader: the drain after QEMU's exit ends at EOF, not at its
// deadline (which made every 'vmrun stop' take 2 s), and keeps the last lines.

#include <doctest/doctest.h>

#include <boost/process.hpp>

#include "run/qemu_stderr.h"

namespace bp = boost::process;

TEST_CASE("the stderr drain ends at EOF when the writer exits, with the last lines kept") {
    boost::asio::io_context io;
    vmrun::QemuStderr err(io, -1);
    std::error_code ec;
    bp::child writer("/bin/sh", bp::args = {"-c", "printf 'one\\ntwo\\nthree\\n' >&2"}, bp::std_err > err.pipe(), ec);
    REQUIRE_FALSE(ec);
    err.start();
    writer.wait();
    // A deadline far away: only EOF can end this drain early.
    auto far = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    CHECK(err.drain(far));
    CHECK(std::chrono::steady_clock::now() < far);
    CHECK(err.at_eof());
    CHECK(err.last_lines(2) == "two\nthree");
    CHECK(err.last_lines(10) == "one\ntwo\nthree");
}

TEST_CASE("the stderr drain gives up at its deadline while someone still holds the pipe") {
    boost::asio::io_context io;
    vmrun::QemuStderr err(io, -1);
    std::error_code ec;
    // A grandchild keeps the pipe open after its parent exits, as a QEMU helper could.
    bp::child writer("/bin/sh", bp::args = {"-c", "echo started >&2; sleep 3 >/dev/null </dev/null & exit 0"}, bp::std_err > err.pipe(), ec);
    REQUIRE_FALSE(ec);
    err.start();
    writer.wait();
    CHECK_FALSE(err.drain(std::chrono::steady_clock::now() + std::chrono::milliseconds(200)));
    CHECK(err.last_lines(1) == "started");
}

TEST_CASE("draining from inside a handler of the same loop is refused, not a silent 2 s wait") {
    // The completions a handler's reactor run queued stay invisible to a nested
    // run until the handler returns: the supervisor once drained from its pidfd
    // handler and every 'vmrun stop' waited out the whole deadline.
    boost::asio::io_context io;
    vmrun::QemuStderr err(io, -1);
    bool threw = false;
    boost::asio::post(io, [&] {
        try {
            err.drain(std::chrono::steady_clock::now() + std::chrono::seconds(2));
        } catch (const std::logic_error&) {
            threw = true;
        }
    });
    io.run();
    CHECK(threw);
}
