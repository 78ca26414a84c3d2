// libFuzzer target: any bytes from a QMP peer, fed to the protocol core in two
// pieces (the first byte picks the split). Invariants: nothing aborts or
// throws; once failed, the protocol takes nothing more in.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "qmp/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    qmp::Limits limits;
    limits.max_message = 1 << 16;  // small, so the fuzzer reaches the limit
    qmp::Protocol p(limits);
    // Commands in flight, so replies with ids vmrun-1.. have someone to go to.
    p.command("query-status");
    p.command("query-pci", qmp::Json{{"x", 1}});
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    size_t cut = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
    auto first = p.feed(bytes.substr(0, cut));
    auto second = p.feed(bytes.substr(cut));
    if (first.failure && (!second.replies.empty() || !second.events.empty())) std::abort();
    for (const auto& out : {first, second})
        for (const auto& [id, reply] : out.replies) (void)reply.describe();
    return 0;
}
