// The kernel's rtnetlink answers as Rtnetlink reads them, without a socket:
// a link's name, MTU, master, kind and VF settings, the ack that ends an
// answer, and datagrams no kernel sends (each once crashed the reader under
// fuzz_rtnetlink; the datagram sits in a buffer of exactly its size, so a
// read past it is caught under ASan).

#include <doctest/doctest.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "host/net/rtnetlink.h"

using namespace vmrun;

namespace {

constexpr unsigned kSeq = 2;

void put(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
void pad(std::string& out) { out.resize((out.size() + 3) & ~size_t(3), '\0'); }

std::string attribute(uint16_t type, const std::string& payload) {
    std::string out;
    rtattr a{uint16_t(RTA_LENGTH(payload.size())), type};
    put(out, &a, sizeof a);
    out += payload;
    pad(out);
    return out;
}

std::string message(uint16_t type, const std::string& body, unsigned seq = kSeq) {
    std::string out;
    nlmsghdr h{uint32_t(NLMSG_LENGTH(body.size())), type, 0, seq, 0};
    put(out, &h, sizeof h);
    out += body;
    pad(out);
    return out;
}

std::string link_body(int index, const std::string& attributes) {
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    std::string out;
    put(out, &ifi, sizeof ifi);
    return out + attributes;
}

std::string ack(int error, unsigned seq = kSeq) {
    nlmsgerr e{};
    e.error = error;
    std::string body;
    put(body, &e, sizeof e);
    return message(NLMSG_ERROR, body, seq);
}

std::string u32(uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), sizeof v); }

// Read from a heap copy of exactly its size, as recv's bytes would end there.
std::optional<int> read(const std::string& datagram, LinkInfo* info) {
    std::unique_ptr<char[]> buf(new char[datagram.size()]);
    std::memcpy(buf.get(), datagram.data(), datagram.size());
    return read_netlink_answer(buf.get(), datagram.size(), kSeq, info);
}

}  // namespace

TEST_CASE("a link's answer: its attributes, then the ack that ends it; a late answer to another request is skipped") {
    std::string name("br0\0", 4);
    auto newlink = message(RTM_NEWLINK, link_body(7, attribute(IFLA_IFNAME, name) + attribute(IFLA_MTU, u32(9000)) +
                                                         attribute(IFLA_MASTER, u32(3)) +
                                                         attribute(IFLA_LINKINFO, attribute(IFLA_INFO_KIND, std::string("bridge\0", 7)))));
    LinkInfo info;
    CHECK_FALSE(read(newlink, &info));  // the ack is still to come
    CHECK(info.index == 7);
    CHECK(info.name == "br0");
    CHECK(info.mtu == 9000);
    CHECK(info.master == 3);
    CHECK(info.kind == "bridge");
    CHECK(read(ack(0), &info) == 0);
    CHECK(read(ack(-ENODEV), nullptr) == ENODEV);
    CHECK(read(ack(-EBUSY, 1) + ack(-EPERM), nullptr) == EPERM);
}

TEST_CASE("datagrams no kernel sends are read as far as they go, never past their end") {
    LinkInfo info;
    // The last message's length not a multiple of 4: stepping over its padding left
    // a negative count that NLMSG_OK took as a huge unsigned one.
    auto odd = message(RTM_NEWLINK, link_body(1, "")) + message(NLMSG_NOOP, "x");  // nlmsg_len 17
    odd.resize(odd.size() - 3);  // its padding: not in the datagram
    CHECK_FALSE(read(odd, &info));
    // An RTM_NEWLINK too short for its ifinfomsg.
    CHECK_FALSE(read(message(RTM_NEWLINK, "abc"), &info));
    // An error message cut off before its code, and one whose code has no negation.
    CHECK(read(message(NLMSG_ERROR, ""), &info) == EPROTO);
    CHECK(read(ack(INT_MIN), &info) == EPROTO);
    CHECK(read(ack(5), &info) == EPROTO);
    // A name and a kind without their NUL end with their attribute.
    info = {};
    CHECK(read(message(RTM_NEWLINK, link_body(2, attribute(IFLA_IFNAME, "eth0") +
                                                     attribute(IFLA_LINKINFO, attribute(IFLA_INFO_KIND, "veth")))) +
                   ack(0),
               &info) == 0);
    CHECK(info.name == "eth0");
    CHECK(info.kind == "veth");
    // An MTU and a master without their value (the last attribute of the datagram).
    info = {};
    CHECK_FALSE(read(message(RTM_NEWLINK, link_body(3, attribute(IFLA_MASTER, "") + attribute(IFLA_MTU, ""))), &info));
    CHECK(info.index == 3);
    CHECK(info.mtu == 0);
    CHECK(info.master == 0);
}
