// libFuzzer target: any bytes as one datagram of the kernel's rtnetlink
// answer to vmrun's request (seq 2, the first a fresh socket sends), read as
// Rtnetlink::link and every other request read it. The bytes sit in a buffer
// of exactly their size, so a read past the datagram is caught.
// Invariants: nothing aborts or throws; names hold no NUL.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "host/net/rtnetlink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Aligned as the socket's buffer is (alignas(nlmsghdr)).
    std::unique_ptr<char[]> buf(new char[size]);
    if (size) std::memcpy(buf.get(), data, size);
    vmrun::LinkInfo info;
    (void)vmrun::read_netlink_answer(buf.get(), size, 2, &info);
    (void)vmrun::read_netlink_answer(buf.get(), size, 2, nullptr);
    if (info.name.find('\0') != std::string::npos || info.kind.find('\0') != std::string::npos) std::abort();
    return 0;
}
