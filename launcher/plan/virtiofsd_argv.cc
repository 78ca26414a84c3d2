#include "plan/virtiofsd_argv.h"

namespace vmrun {

std::vector<std::string> build_virtiofsd_argv(const SharedFolderPlan& folder, const std::string& binary, std::optional<int> listen_fd) {
    std::vector<std::string> argv = {binary.empty() ? std::string("virtiofsd") : binary};
    if (listen_fd) {
        argv.push_back("--fd=" + std::to_string(*listen_fd));
        argv.insert(argv.end(), {"-o", "source=" + folder.root});
    } else {
        argv.push_back("--socket-path=" + folder.socket);
        argv.insert(argv.end(), {"-o", "source=" + folder.folder.path});
    }
    // The guest's page cache trusts the host's for a second, as QEMU's docs
    // recommend for a folder the host may change underneath.
    argv.insert(argv.end(), {"-o", "cache=auto"});
    return argv;
}

}  // namespace vmrun
