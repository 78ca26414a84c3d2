#pragma once
// A scripted QMP peer on a unix socket, for the faults a real QEMU will not
// produce on demand: garbage, a dropped connection mid-reply, silence.

#include <functional>
#include <string>
#include <thread>

namespace vmrun::testing {

class FakeQmpServer {
public:
    // `script` runs in a thread with the accepted connection's fd; it writes
    // and reads with the helpers below.
    using Script = std::function<void(int fd)>;
    FakeQmpServer(const std::string& socket_path, Script script);
    ~FakeQmpServer();
    const std::string& path() const { return path_; }

    static void send(int fd, const std::string& bytes);
    // Reads one command (up to a newline) and returns its "id", or "" when the
    // peer closed.
    static std::string read_command_id(int fd, std::string* command = nullptr);
    static const char* greeting();
    // greeting + answer qmp_capabilities.
    static bool negotiate(int fd);

private:
    std::string path_;
    int listen_fd_ = -1;
    std::thread thread_;
};

}  // namespace vmrun::testing
