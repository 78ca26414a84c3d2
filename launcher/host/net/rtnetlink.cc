#include "host/net/rtnetlink.h"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace vmrun {

namespace {

// A request under construction: header, ifinfomsg, attributes.
class Request {
public:
    Request(uint16_t type, uint16_t flags) {
        buf_.resize(NLMSG_SPACE(sizeof(ifinfomsg)));
        auto* h = header();
        h->nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
        h->nlmsg_type = type;
        h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        ifi()->ifi_family = AF_UNSPEC;
    }
    nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    ifinfomsg* ifi() { return static_cast<ifinfomsg*>(NLMSG_DATA(header())); }
    // Returns the offset of the attribute, for nesting.
    size_t add(uint16_t type, const void* data, size_t len) {
        size_t at = NLMSG_ALIGN(header()->nlmsg_len);
        buf_.resize(at + RTA_SPACE(len));
        auto* rta = reinterpret_cast<rtattr*>(buf_.data() + at);
        rta->rta_type = type;
        rta->rta_len = RTA_LENGTH(len);
        if (len) std::memcpy(RTA_DATA(rta), data, len);
        header()->nlmsg_len = at + RTA_SPACE(len);
        return at;
    }
    size_t add_string(uint16_t type, const std::string& s) { return add(type, s.c_str(), s.size() + 1); }
    void end_nest(size_t at) { reinterpret_cast<rtattr*>(buf_.data() + at)->rta_len = header()->nlmsg_len - at; }
    void* data() { return buf_.data(); }
    size_t size() { return header()->nlmsg_len; }

private:
    std::vector<char> buf_;
};

std::string mac_text(const unsigned char* b) {
    char text[18];
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return text;
}

// The kernel reports a setting the driver left alone as (u32)-1.
std::optional<bool> vf_flag(uint32_t setting) {
    if (setting == uint32_t(-1)) return std::nullopt;
    return setting != 0;
}

VfLinkState parse_vf_info(rtattr* info) {
    VfLinkState vf;
    int n = int(RTA_PAYLOAD(info));
    for (auto* a = static_cast<rtattr*>(RTA_DATA(info)); RTA_OK(a, n); a = RTA_NEXT(a, n)) {
        switch (a->rta_type) {
            case IFLA_VF_MAC:
                if (RTA_PAYLOAD(a) >= sizeof(ifla_vf_mac)) {
                    auto* m = static_cast<ifla_vf_mac*>(RTA_DATA(a));
                    vf.index = m->vf;
                    vf.mac = mac_text(m->mac);
                }
                break;
            case IFLA_VF_VLAN:
                if (RTA_PAYLOAD(a) >= sizeof(ifla_vf_vlan)) {
                    auto* v = static_cast<ifla_vf_vlan*>(RTA_DATA(a));
                    vf.vlan = v->vlan;
                    vf.qos = v->qos;
                }
                break;
            case IFLA_VF_SPOOFCHK:
                if (RTA_PAYLOAD(a) >= sizeof(ifla_vf_spoofchk)) vf.spoof_check = vf_flag(static_cast<ifla_vf_spoofchk*>(RTA_DATA(a))->setting);
                break;
            case IFLA_VF_TRUST:
                if (RTA_PAYLOAD(a) >= sizeof(ifla_vf_trust)) vf.trust = vf_flag(static_cast<ifla_vf_trust*>(RTA_DATA(a))->setting);
                break;
            default: break;
        }
    }
    return vf;
}

// A string attribute, up to its NUL or the attribute's end, whichever comes first.
std::string attribute_text(const rtattr* a) {
    auto* text = static_cast<const char*>(RTA_DATA(a));
    return std::string(text, strnlen(text, RTA_PAYLOAD(a)));
}

void parse_link(const nlmsghdr* h, LinkInfo& out) {
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return;  // too short to be a link
    auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
    out.index = ifi->ifi_index;
    int len = int(h->nlmsg_len) - int(NLMSG_LENGTH(sizeof(ifinfomsg)));
    for (auto* a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        switch (a->rta_type) {
            case IFLA_IFNAME: out.name = attribute_text(a); break;
            case IFLA_MTU:
                if (RTA_PAYLOAD(a) >= sizeof(unsigned)) out.mtu = *static_cast<unsigned*>(RTA_DATA(a));
                break;
            case IFLA_MASTER:
                if (RTA_PAYLOAD(a) >= sizeof(int)) out.master = *static_cast<int*>(RTA_DATA(a));
                break;
            case IFLA_VFINFO_LIST: {
                int n = int(RTA_PAYLOAD(a));
                for (auto* i = static_cast<rtattr*>(RTA_DATA(a)); RTA_OK(i, n); i = RTA_NEXT(i, n))
                    if (i->rta_type == IFLA_VF_INFO) out.vfs.push_back(parse_vf_info(i));
                break;
            }
            case IFLA_LINKINFO: {
                int n = int(RTA_PAYLOAD(a));
                for (auto* i = static_cast<rtattr*>(RTA_DATA(a)); RTA_OK(i, n); i = RTA_NEXT(i, n))
                    if (i->rta_type == IFLA_INFO_KIND) out.kind = attribute_text(i);
                break;
            }
            default: break;
        }
    }
}

}  // namespace

std::optional<Rtnetlink> Rtnetlink::open(std::string& error) {
    int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        error = std::string("cannot open a netlink socket: ") + std::strerror(errno);
        return std::nullopt;
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        error = std::string("cannot bind a netlink socket: ") + std::strerror(errno);
        ::close(fd);
        return std::nullopt;
    }
    return Rtnetlink(fd);
}

Rtnetlink::~Rtnetlink() {
    if (fd_ >= 0) ::close(fd_);
}

int Rtnetlink::transact(void* msg, size_t len, LinkInfo* reply) {
    auto* h = static_cast<nlmsghdr*>(msg);
    h->nlmsg_seq = ++seq_;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_, msg, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) return errno;
    alignas(nlmsghdr) static thread_local char buf[65536];
    for (;;) {
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (auto done = read_netlink_answer(buf, size_t(n), seq_, reply)) return *done;
    }
}

std::optional<int> read_netlink_answer(const char* buf, size_t len, unsigned seq, LinkInfo* reply) {
    int left = int(len);
    // NLMSG_NEXT steps over the padding of an unaligned last message, so
    // `left` can go below 0, which as unsigned would pass NLMSG_OK.
    for (auto* r = reinterpret_cast<const nlmsghdr*>(buf); left > 0 && NLMSG_OK(r, unsigned(left)); r = NLMSG_NEXT(r, left)) {
        if (r->nlmsg_seq != seq) continue;  // a late answer to an earlier request
        if (r->nlmsg_type == NLMSG_ERROR) {
            // With NLM_F_ACK the kernel answers a GET with the data, then an ack.
            if (r->nlmsg_len < NLMSG_LENGTH(sizeof(int))) return EPROTO;  // cut off before its code
            int err = static_cast<const nlmsgerr*>(NLMSG_DATA(r))->error;
            // 0 or -errno; anything else (INT_MIN has no negation) is no answer vmrun can name.
            return err <= 0 && err > -4096 ? -err : EPROTO;
        }
        if (r->nlmsg_type == RTM_NEWLINK && reply) parse_link(r, *reply);
        if (r->nlmsg_type == NLMSG_DONE) return 0;
    }
    return std::nullopt;
}

std::optional<LinkInfo> Rtnetlink::link(const std::string& name, int& err) {
    Request req(RTM_GETLINK, 0);
    req.add_string(IFLA_IFNAME, name);
    // VF settings without their counters: a PF with 64 VFs still answers in one message.
    uint32_t mask = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS;
    req.add(IFLA_EXT_MASK, &mask, sizeof mask);
    LinkInfo info;
    err = transact(req.data(), req.size(), &info);
    if (err || info.index == 0) {
        if (!err) err = ENODEV;
        return std::nullopt;
    }
    return info;
}

int Rtnetlink::set_mtu(int index, unsigned mtu) {
    Request req(RTM_NEWLINK, 0);
    req.ifi()->ifi_index = index;
    req.add(IFLA_MTU, &mtu, sizeof mtu);
    return transact(req.data(), req.size());
}

int Rtnetlink::set_master(int index, int master_index) {
    Request req(RTM_NEWLINK, 0);
    req.ifi()->ifi_index = index;
    req.add(IFLA_MASTER, &master_index, sizeof master_index);
    return transact(req.data(), req.size());
}

int Rtnetlink::set_up(int index, bool up) {
    Request req(RTM_NEWLINK, 0);
    req.ifi()->ifi_index = index;
    req.ifi()->ifi_change = IFF_UP;
    req.ifi()->ifi_flags = up ? IFF_UP : 0;
    return transact(req.data(), req.size());
}

int Rtnetlink::create_bridge(const std::string& name) {
    Request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    req.add_string(IFLA_IFNAME, name);
    size_t info = req.add(IFLA_LINKINFO, nullptr, 0);
    req.add_string(IFLA_INFO_KIND, "bridge");
    req.end_nest(info);
    return transact(req.data(), req.size());
}

int Rtnetlink::delete_link(int index) {
    Request req(RTM_DELLINK, 0);
    req.ifi()->ifi_index = index;
    return transact(req.data(), req.size());
}

namespace {

// RTM_NEWLINK on `index` carrying IFLA_VFINFO_LIST { IFLA_VF_INFO { type: value } }.
template <typename Value>
Request vf_request(int index, uint16_t type, const Value& value) {
    Request req(RTM_NEWLINK, 0);
    req.ifi()->ifi_index = index;
    size_t list = req.add(IFLA_VFINFO_LIST, nullptr, 0);
    size_t info = req.add(IFLA_VF_INFO, nullptr, 0);
    req.add(type, &value, sizeof value);
    req.end_nest(info);
    req.end_nest(list);
    return req;
}

}  // namespace

int Rtnetlink::set_vf_mac(int index, unsigned vf, const std::string& mac) {
    ifla_vf_mac value{};
    value.vf = vf;
    unsigned b[6];
    if (std::sscanf(mac.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) return EINVAL;
    for (int i = 0; i < 6; ++i) value.mac[i] = static_cast<unsigned char>(b[i]);
    auto req = vf_request(index, IFLA_VF_MAC, value);
    return transact(req.data(), req.size());
}

int Rtnetlink::set_vf_vlan(int index, unsigned vf, unsigned vlan, unsigned qos) {
    ifla_vf_vlan value{vf, vlan, qos};
    auto req = vf_request(index, IFLA_VF_VLAN, value);
    return transact(req.data(), req.size());
}

int Rtnetlink::set_vf_spoof_check(int index, unsigned vf, bool on) {
    ifla_vf_spoofchk value{vf, on ? 1u : 0u};
    auto req = vf_request(index, IFLA_VF_SPOOFCHK, value);
    return transact(req.data(), req.size());
}

int Rtnetlink::set_vf_trust(int index, unsigned vf, bool on) {
    ifla_vf_trust value{vf, on ? 1u : 0u};
    auto req = vf_request(index, IFLA_VF_TRUST, value);
    return transact(req.data(), req.size());
}

std::string describe_netlink_error(int err) {
    std::string text = std::strerror(err);
    if (err == EPERM || err == EACCES)
        text += " (changing network links needs CAP_NET_ADMIN: run vmrun as root, or give it cap_net_admin)";
    return text;
}

}  // namespace vmrun
