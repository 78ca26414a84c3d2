#include "run/profile_snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace vmrun {

std::string write_profile_snapshot(const VmPaths& folder, const ProfileSnapshot& snapshot) {
    // Written whole under a temporary name, then renamed: a reader never sees half.
    std::string file = folder.started_profile_file(), tmp = file + ".new";
    nlohmann::json j = {{"path", snapshot.path}, {"text", snapshot.text}};
    if (snapshot.folder_inode != 0) j["folder"] = {snapshot.folder_device, snapshot.folder_inode};
    std::string body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return "cannot write " + tmp + ": " + std::strerror(errno);
    bool ok = ::write(fd, body.data(), body.size()) == ssize_t(body.size());
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
        std::string err = std::strerror(errno);
        ::unlink(tmp.c_str());
        return "cannot write " + file + ": " + err;
    }
    return "";
}

std::optional<ProfileSnapshot> read_profile_snapshot(const VmPaths& folder) {
    std::ifstream in(folder.started_profile_file(), std::ios::binary);
    if (!in) return std::nullopt;
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_object() || !j.contains("path") || !j["path"].is_string() || !j.contains("text") || !j["text"].is_string())
        return std::nullopt;
    ProfileSnapshot snapshot{j["path"], j["text"]};
    if (auto f = j.find("folder"); f != j.end() && f->is_array() && f->size() == 2 && (*f)[0].is_number_unsigned() &&
                                   (*f)[1].is_number_unsigned()) {
        snapshot.folder_device = (*f)[0];
        snapshot.folder_inode = (*f)[1];
    }
    return snapshot;
}

}  // namespace vmrun
