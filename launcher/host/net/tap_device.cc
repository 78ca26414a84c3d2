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
        out.error = std::string("cannot open /dev/net/tun: ") + std::strerror(errno) +
                    (errno == ENOENT ? " (modprobe tun)" : errno == EACCES ? " (needs root or CAP_NET_ADMIN)" : "");
        return out;
    }
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd, TUNSETIFF, &ifr) != 0) {
        int err = errno;
        ::close(fd);
        out.error = "cannot create tap " + name + ": " + std::strerror(err) +
                    (err == EPERM ? " (creating a tap needs CAP_NET_ADMIN: run vmrun as root)"
                     : err == EBUSY ? " (another process holds a tap of that name)" : "");
        return out;
    }
    out.fd = fd;
    return out;
}

}  // namespace vmrun
