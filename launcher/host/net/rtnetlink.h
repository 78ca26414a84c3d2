#pragma once
// The few link operations vmrun needs, spoken directly to the kernel over
// rtnetlink (no ip, brctl or libnl): look a link up by name, set its MTU,
// master and up flag, create and delete a bridge or a tap. Works in the
// network namespace of the calling process, which is how tests isolate it.

#include <optional>
#include <string>
#include <vector>

namespace vmrun {

// One SR-IOV virtual function as its PF's driver reports it (IFLA_VF_INFO).
// A driver that does not implement a setting leaves it nullopt.
struct VfLinkState {
    unsigned index = 0;
    std::string mac;  // 00:00:00:00:00:00 = none set on the PF
    unsigned vlan = 0, qos = 0;
    std::optional<bool> spoof_check, trust;
};

struct LinkInfo {
    int index = 0;
    std::string name;
    unsigned mtu = 0;
    int master = 0;       // ifindex of the bridge it is a port of; 0 = none
    std::string kind;     // "bridge", "tun", "veth", ... ("" for plain devices)
    std::vector<VfLinkState> vfs;  // a PF's virtual functions, by index
};

class Rtnetlink {
public:
    // Opens a NETLINK_ROUTE socket; nullopt with `error` set when it cannot.
    static std::optional<Rtnetlink> open(std::string& error);
    Rtnetlink(Rtnetlink&& o) noexcept : fd_(o.fd_), seq_(o.seq_) { o.fd_ = -1; }
    Rtnetlink& operator=(Rtnetlink&&) = delete;
    ~Rtnetlink();

    // nullopt when there is no such link (errno in `err`: ENODEV) or on error.
    std::optional<LinkInfo> link(const std::string& name, int& err);
    // Each returns 0 or an errno value.
    int set_mtu(int index, unsigned mtu);
    int set_master(int index, int master_index);
    int set_up(int index, bool up);
    int create_bridge(const std::string& name);
    int delete_link(int index);
    // A PF's settings for its virtual function `vf`, each one request so that
    // a driver refusing one names it. `mac` as aa:bb:cc:dd:ee:ff.
    int set_vf_mac(int index, unsigned vf, const std::string& mac);
    int set_vf_vlan(int index, unsigned vf, unsigned vlan, unsigned qos);
    int set_vf_spoof_check(int index, unsigned vf, bool on);
    int set_vf_trust(int index, unsigned vf, bool on);

private:
    explicit Rtnetlink(int fd) : fd_(fd) {}
    // Sends one request with NLM_F_ACK and returns the kernel's errno (0 = done).
    int transact(void* msg, size_t len, LinkInfo* reply = nullptr);
    int fd_ = -1;
    unsigned seq_ = 1;
};

// One datagram of the kernel's answer to request `seq`, as the socket gave
// it: the errno the answer ends with (0 = done) once it is complete, nullopt
// while more is to come; each RTM_NEWLINK in it is read into `reply` when
// given. `buf` is aligned for nlmsghdr; `len` is what recv returned.
std::optional<int> read_netlink_answer(const char* buf, size_t len, unsigned seq, LinkInfo* reply);

// "Operation not permitted (creating network links needs CAP_NET_ADMIN: run vmrun as root)" and similar.
std::string describe_netlink_error(int err);

}  // namespace vmrun
