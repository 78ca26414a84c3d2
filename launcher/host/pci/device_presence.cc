#include "host/pci/device_presence.h"

#include <fcntl.h>
#include <unistd.h>

#include "host/pci/pci_sysfs.h"

namespace vmrun {

Presence read_presence(const std::string& sysroot, const PciAddress& address) {
    auto path = pci_device_dir(sysroot, address) / "config";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Presence::unknown;
    unsigned char vendor[2] = {0, 0};
    ssize_t n = ::pread(fd, vendor, sizeof vendor, 0);
    ::close(fd);
    if (n != ssize_t(sizeof vendor)) return Presence::unknown;
    return vendor[0] == 0xff && vendor[1] == 0xff ? Presence::absent : Presence::answers;
}

std::optional<Failure> absent_device(const std::string& sysroot, const PciAddress& address, const std::optional<PciAddress>& physfn) {
    if (physfn) {
        auto pf = absent_device(sysroot, *physfn);
        if (pf) pf->what = address.str() + " is a virtual function of " + physfn->str() + ", and " + pf->what;
        return pf;
    }
    if (read_presence(sysroot, address) != Presence::absent) return std::nullopt;
    return Failure{address.str() + " does not answer: its configuration space reads 0xffff (powered off in D3cold, "
                                   "gone from the bus, or stuck after a reset that failed)",
                   "reboot the host to bring it back (a GPU that did not survive its last VM needs one); "
                   "'lspci -s " + address.str() + " -vv' shows the same",
                   address.str()};
}

}  // namespace vmrun
