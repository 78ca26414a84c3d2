#pragma once
// The guest's shell asks its terminal questions (busybox ash sends ESC[6n,
// "where is the cursor?", before each prompt). With a real terminal on
// 'vmrun console' the terminal answers; with a pipe or a file nobody would, so
// the query would land in the captured output and the shell would wait for a
// reply. This filter takes the queries out of the guest's output and says what
// to answer. Pure; fed in whatever chunks the socket delivers.

#include <string>
#include <string_view>

namespace vmrun::cli {

class TerminalQueryFilter {
public:
    struct Result {
        std::string output;  // the guest's bytes, queries removed
        std::string reply;   // to send back to the guest
    };
    Result feed(std::string_view bytes);
    // What is held back as a possible start of a query, at the end of the stream.
    std::string flush();

private:
    std::string pending_;
};

}  // namespace vmrun::cli
