#include "host/net/tap_device.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmrun {

OpenedTap open_tap(const std::string& name) {
    OpenedTap out;
    int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        out.failure = Failure{std::string("cannot open /dev/net/tun: ") + std::strerror(err),
                              err == ENOENT ? "load the tun module (modprobe tun)"
                              : err == EACCES ? "run vmrun as root (a tap needs CAP_NET_ADMIN)" : "",
                              name};
        return out;
    }
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd, TUNSETIFF, &ifr) != 0) {
        int err = errno;
        ::close(fd);
        out.failure = Failure{"cannot create tap " + name + ": " + std::strerror(err),
                              err == EPERM   ? "run vmrun as root (creating a tap needs CAP_NET_ADMIN)"
                              : err == EBUSY ? "stop the process that holds a tap of that name, or give the NIC another 'tap'" : "",
                              name};
        return out;
    }
    out.fd = fd;
    return out;
}

}  // namespace vmrun
