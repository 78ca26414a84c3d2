#include "host/unix_listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmrun {

Listening listen_unix(const std::string& path) {
    Listening out;
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) {
        out.failure = Failure{"the socket path " + path + " is too long for a unix socket",
                              "use a shorter VMRUN_RUNTIME_DIR or VM name", path};
        return out;
    }
    OwnedFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        out.failure = Failure{std::string("cannot make a unix socket: ") + std::strerror(errno), "", path};
        return out;
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    ::unlink(path.c_str());  // an earlier run's, which would make bind fail
    // 0600 before listen: nobody else can connect in between.
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::chmod(path.c_str(), 0600) != 0 ||
        ::listen(fd.get(), 8) != 0) {
        out.failure = Failure{"cannot listen on " + path + ": " + std::strerror(errno), "", path};
        return out;
    }
    out.fd = std::move(fd);
    return out;
}

}  // namespace vmrun
