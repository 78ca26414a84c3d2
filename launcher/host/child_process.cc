#include "host/child_process.h"

#include <dirent.h>

#include <cstdlib>

namespace vmrun {

void close_inherited_fds() {
    std::vector<int> inherited;
    if (DIR* dir = ::opendir("/proc/self/fd")) {
        while (auto* e = ::readdir(dir)) {
            int fd = std::atoi(e->d_name);
            if (fd <= 2 || fd == ::dirfd(dir)) continue;
            int flags = ::fcntl(fd, F_GETFD);
            if (flags >= 0 && !(flags & FD_CLOEXEC)) inherited.push_back(fd);
        }
        ::closedir(dir);
    }
    for (int fd : inherited) ::close(fd);
}

}  // namespace vmrun
