#include "cli/terminal_queries.h"

#include <array>
#include <utility>

namespace vmrun::cli {

namespace {

// query -> the answer a VT100-like terminal at the top-left corner would give
const std::array<std::pair<std::string_view, std::string_view>, 4> kQueries = {{
    {"\x1b[6n", "\x1b[1;1R"},  // cursor position report
    {"\x1b[5n", "\x1b[0n"},    // device status: ok
    {"\x1b[c", "\x1b[?6c"},    // primary device attributes: VT102
    {"\x1b[0c", "\x1b[?6c"},
}};

bool is_prefix_of_a_query(const std::string& s) {
    for (const auto& [q, _] : kQueries)
        if (q.substr(0, s.size()) == s) return true;
    return false;
}

}  // namespace

TerminalQueryFilter::Result TerminalQueryFilter::feed(std::string_view bytes) {
    Result r;
    r.output.reserve(bytes.size());
    for (char c : bytes) {
        pending_ += c;
        while (!pending_.empty()) {
            bool answered = false;
            for (const auto& [q, answer] : kQueries)
                if (pending_ == q) {
                    r.reply += answer;
                    pending_.clear();
                    answered = true;
                    break;
                }
            if (answered || is_prefix_of_a_query(pending_)) break;
            // Not a query: its first byte is output; the rest may still start one.
            r.output += pending_.front();
            pending_.erase(0, 1);
        }
    }
    return r;
}

std::string TerminalQueryFilter::flush() {
    return std::exchange(pending_, {});
}

}  // namespace vmrun::cli
