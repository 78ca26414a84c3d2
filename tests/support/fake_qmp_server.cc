#include "fake_qmp_server.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

namespace vmrun::testing {

FakeQmpServer::FakeQmpServer(const std::string& socket_path, Script script) : path_(socket_path) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    ::unlink(path_.c_str());
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 1);
    thread_ = std::thread([this, script] {
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) return;
        script(fd);
        ::close(fd);
    });
}

FakeQmpServer::~FakeQmpServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    if (thread_.joinable()) thread_.join();
    ::unlink(path_.c_str());
}

void FakeQmpServer::send(int fd, const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;
        off += size_t(n);
    }
}

std::string FakeQmpServer::read_command_id(int fd, std::string* command) {
    std::string line;
    char c;
    while (::read(fd, &c, 1) == 1) {
        if (c == '\n') break;
        line += c;
    }
    if (line.empty()) return "";
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) return "";
    if (command) *command = j.value("execute", "");
    return j.value("id", "");
}

const char* FakeQmpServer::greeting() {
    return R"({"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "fake"}, "capabilities": []}})" "\r\n";
}

bool FakeQmpServer::negotiate(int fd) {
    send(fd, greeting());
    auto id = read_command_id(fd);
    if (id.empty()) return false;
    send(fd, R"({"return": {}, "id": ")" + id + "\"}\r\n");
    return true;
}

}  // namespace vmrun::testing
