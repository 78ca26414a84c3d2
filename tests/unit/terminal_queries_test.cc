// vmrun console without a terminal: the guest's terminal queries are answered
// and kept out of the captured output, however the bytes are split.

#include <doctest/doctest.h>

#include "cli/terminal_queries.h"

using vmrun::cli::TerminalQueryFilter;

TEST_CASE("ESC[6n before a prompt is answered and not printed") {
    TerminalQueryFilter f;
    auto r = f.feed("\r\n\x1b[6ntiny# ");
    CHECK(r.output == "\r\ntiny# ");
    CHECK(r.reply == "\x1b[1;1R");
}

TEST_CASE("a query split across reads, at every split point") {
    std::string stream = "ls\r\n\x1b[6ntiny# \x1b[c";
    for (size_t cut = 0; cut <= stream.size(); ++cut) {
        CAPTURE(cut);
        TerminalQueryFilter f;
        auto a = f.feed(std::string_view(stream).substr(0, cut));
        auto b = f.feed(std::string_view(stream).substr(cut));
        CHECK(a.output + b.output + f.flush() == "ls\r\ntiny# ");
        CHECK(a.reply + b.reply == "\x1b[1;1R\x1b[?6c");
    }
}

TEST_CASE("other escape sequences pass through untouched") {
    TerminalQueryFilter f;
    std::string colours = "\x1b[1;32mgreen\x1b[0m \x1b[6x \x1b[\x1b[6n!";
    auto r = f.feed(colours);
    CHECK(r.output + f.flush() == "\x1b[1;32mgreen\x1b[0m \x1b[6x \x1b[!");
    CHECK(r.reply == "\x1b[1;1R");
}

TEST_CASE("a trailing partial query is held back, then given out at the end") {
    TerminalQueryFilter f;
    auto r = f.feed("done\x1b[");
    CHECK(r.output == "done");
    CHECK(f.flush() == "\x1b[");
}
