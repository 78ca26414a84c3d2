// libFuzzer target: any bytes from a guest agent, fed to the agent protocol
// core in two pieces (the first byte picks the split) while it syncs, then a
// command waits. Invariants: nothing aborts or throws; no reply before the
// sync answer; once failed, the protocol takes nothing more in.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "qmp/agent_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    qmp::Limits limits;
    limits.max_message = 1 << 16;  // small, so the fuzzer reaches the limit
    qmp::AgentProtocol p(limits);
    (void)p.sync(42);
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    size_t cut = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
    auto first = p.feed(bytes.substr(0, cut));
    if (first.reply) std::abort();  // nothing was asked yet
    if (p.phase() == qmp::AgentProtocol::Phase::ready) (void)p.command("guest-info");
    auto second = p.feed(bytes.substr(cut));
    if (first.failure && (second.reply || second.synced)) std::abort();
    if (second.reply) (void)second.reply->describe();
    return 0;
}
