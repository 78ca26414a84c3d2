#include "host/input/input_nodes.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace vmrun {

namespace {

std::string first_line(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

unsigned hex_of(const fs::path& file) {
    auto text = first_line(file);
    try {
        return text.empty() ? 0 : unsigned(std::stoul(text, nullptr, 16));
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace

std::optional<InputIdentity> read_input_identity(const std::string& sysroot, const std::string& node) {
    if (!is_event_node_name(node)) return std::nullopt;
    auto device = fs::path(sysroot) / "sys/class/input" / node / "device";
    std::error_code ec;
    if (!fs::exists(device / "name", ec)) return std::nullopt;
    InputIdentity id;
    id.name = first_line(device / "name");
    id.phys = first_line(device / "phys");
    id.uniq = first_line(device / "uniq");
    id.bustype = hex_of(device / "id/bustype");
    id.vendor = hex_of(device / "id/vendor");
    id.product = hex_of(device / "id/product");
    id.version = hex_of(device / "id/version");
    return id;
}

std::vector<std::string> list_event_nodes(const std::string& sysroot) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(sysroot) / "dev/input", ec))
        if (is_event_node_name(e.path().filename().string())) out.push_back(e.path().filename().string());
    return out;
}

OwnedFd watch_input_nodes(const std::string& sysroot, std::string& error) {
    OwnedFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd) {
        error = std::string("inotify: ") + std::strerror(errno);
        return {};
    }
    auto dir = fs::path(sysroot) / "dev/input";
    // A rename counts too: some device managers make a node under another name first.
    if (::inotify_add_watch(fd.get(), dir.c_str(), IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR) < 0) {
        error = "cannot watch " + dir.string() + ": " + std::strerror(errno);
        return {};
    }
    return fd;
}

std::vector<InputNodeChange> read_input_node_changes(int watch_fd) {
    std::vector<InputNodeChange> out;
    alignas(struct inotify_event) char buffer[4096];
    for (;;) {
        auto n = ::read(watch_fd, buffer, sizeof buffer);
        if (n <= 0) break;  // EAGAIN: all read
        for (char* p = buffer; p < buffer + n;) {
            auto* e = reinterpret_cast<struct inotify_event*>(p);
            p += sizeof(struct inotify_event) + e->len;
            std::string name = e->len ? std::string(e->name) : "";
            if (!is_event_node_name(name)) continue;
            if (e->mask & (IN_CREATE | IN_MOVED_TO)) out.push_back({InputNodeChange::Kind::added, name});
            else if (e->mask & (IN_DELETE | IN_MOVED_FROM)) out.push_back({InputNodeChange::Kind::removed, name});
        }
    }
    return out;
}

}  // namespace vmrun
