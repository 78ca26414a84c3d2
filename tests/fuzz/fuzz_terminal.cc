// libFuzzer target: any bytes from the guest's console, fed to the terminal
// query filter in pieces whose sizes the first byte seeds (as a socket may
// cut them anywhere). Invariants: nothing aborts or throws; however cut, the
// output is the input with each query taken out and the reply is their
// answers in order — what one pass over the whole input gives, since no
// query is the start of another.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "cli/terminal_queries.h"

namespace {

// The queries the filter answers and the answers it gives (terminal_queries.cc).
const std::pair<std::string_view, std::string_view> kQueries[] = {
    {"\x1b[6n", "\x1b[1;1R"}, {"\x1b[5n", "\x1b[0n"}, {"\x1b[c", "\x1b[?6c"}, {"\x1b[0c", "\x1b[?6c"}};

vmrun::cli::TerminalQueryFilter::Result whole(std::string_view in) {
    vmrun::cli::TerminalQueryFilter::Result r;
    for (size_t i = 0; i < in.size();) {
        bool matched = false;
        for (const auto& [q, answer] : kQueries)
            if (in.substr(i, q.size()) == q) {
                r.reply += answer;
                i += q.size();
                matched = true;
                break;
            }
        if (!matched) r.output += in[i++];
    }
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    uint32_t seed = data[0];
    vmrun::cli::TerminalQueryFilter filter;
    std::string output, reply;
    for (size_t at = 0; at < in.size();) {
        seed = seed * 1103515245 + 12345;
        size_t piece = (seed >> 16) % 9;  // 0 to 8 bytes; an empty read too
        auto r = filter.feed(in.substr(at, piece));
        output += r.output;
        reply += r.reply;
        at += piece;
    }
    output += filter.flush();
    auto want = whole(in);
    if (output != want.output || reply != want.reply) std::abort();
    if (!filter.flush().empty()) std::abort();  // flushed once, nothing is left
    return 0;
}
