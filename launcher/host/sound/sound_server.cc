#include "host/sound/sound_server.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vmrun {

namespace {

// Debian's QEMU keeps its audio drivers in loadable modules; pa and alsa
// come with qemu-system-gui and qemu-system-x86 respectively.
std::optional<Failure> missing_qemu_driver(const std::string& driver, const std::string& file) {
    const std::filesystem::path modules = "/usr/lib/x86_64-linux-gnu/qemu";
    std::error_code ec;
    if (driver == "none" || !std::filesystem::is_directory(modules, ec)) return std::nullopt;
    if (std::filesystem::exists(modules / ("audio-" + driver + ".so"), ec)) return std::nullopt;
    return Failure{"QEMU's " + driver + " audio driver (" + (modules / ("audio-" + driver + ".so")).string() + ") is not installed",
                       driver == "pa" ? "apt-get install qemu-system-gui, or choose another audio backend in " + file
                                      : "apt-get install qemu-system-x86, or choose another audio backend in " + file};
}

}  // namespace

std::optional<UserFacts> read_user_facts(const std::string& name) {
    passwd pw{}, *found = nullptr;
    char buf[4096];
    if (name.empty() || ::getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found) != 0 || !found) return std::nullopt;
    UserFacts u{pw.pw_uid, pw.pw_dir ? pw.pw_dir : "", ""};
    std::error_code ec;
    if (auto cookie = u.home + "/.config/pulse/cookie"; !u.home.empty() && std::filesystem::is_regular_file(cookie, ec))
        u.pulse_cookie = cookie;
    return u;
}

void read_audio_facts(HostFacts& facts, const Profile& profile) {
    if (!profile.audio || !profile.audio->uses_sound_server()) return;
    auto name = profile.audio->user.empty() ? profile.run_as : profile.audio->user;
    if (auto u = read_user_facts(name)) facts.users[name] = *u;
}

std::vector<Failure> sound_problems(const LaunchPlan& plan) {
    std::vector<Failure> out;
    if (!plan.audio) return out;
    const auto& a = *plan.audio;
    const auto& file = plan.profile.source_file;
    if (auto p = missing_qemu_driver(a.driver, file)) out.push_back(*p);
    if (a.driver == "pa" && a.socket.empty()) {
        out.push_back({"'" + a.user + "' is not a user on this host, and audio plays through that user's sound server",
                       "set audio.user in " + file + " to the desktop user whose session has the sound server"});
        return out;
    }
    if (a.driver == "pa") {
        bool explicit_server = !plan.profile.audio->server.empty();
        struct stat st {};
        std::string whose = a.user.empty() ? "" : a.user + "'s ";
        if (::stat(a.socket.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
            out.push_back({"no sound server is listening at " + a.socket + (a.user.empty() ? "" : " (" + whose + "PulseAudio socket)"),
                           std::string(a.backend == AudioBackend::pipewire
                                           ? "start PipeWire's PulseAudio server in " + whose + "session (systemctl --user start pipewire-pulse)"
                                           : "start PulseAudio in " + whose + "session (systemctl --user start pulseaudio)") +
                               (explicit_server ? ", or correct audio.server in " + file
                                                : ", or give its socket as audio.server in " + file)});
        }
        if (a.cookie_required && a.cookie.empty())
            out.push_back({"PulseAudio lets QEMU (which connects as root) in only with " + whose + "cookie, and " +
                               (a.user.empty() ? "none is named" : "there is none in " + a.user + "'s ~/.config/pulse"),
                           "name it as audio.cookie in " + file + (a.user.empty() ? "" : ", or log in as " + a.user + " once (PulseAudio writes it)")});
        else if (!a.cookie.empty())
            if (auto cookie = read_pulse_cookie(plan); cookie.failure) out.push_back(*cookie.failure);
    }
    if (a.driver == "alsa" && a.alsa_device.empty()) {
        std::error_code ec;
        bool any = false;
        for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(plan.facts.sysroot) / "dev/snd", ec))
            any = any || e.path().filename().string().rfind("pcmC", 0) == 0;
        if (!any)
            out.push_back({"this host has no ALSA sound device (/dev/snd has no pcm node)",
                           "load the sound card's driver, name an ALSA device as audio.device, or set audio: none in " + file});
    }
    return out;
}

PulseCookie read_pulse_cookie(const LaunchPlan& plan) {
    const auto& a = *plan.audio;
    std::string why;
    PulseCookie out;
    int fd = ::open(a.cookie.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        why = errno == ELOOP ? " is a symbolic link; vmrun reads only the file itself" : " cannot be opened: " + std::string(std::strerror(errno));
    } else {
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) why = " is not a regular file";
        else if (st.st_size > 256) why = " holds " + std::to_string(st.st_size) + " bytes; a PulseAudio cookie has 256";
        else if (auto u = plan.facts.users.find(a.user); !a.user.empty() && u != plan.facts.users.end() && st.st_uid != u->second.uid)
            why = " belongs to uid " + std::to_string(st.st_uid) + ", not to " + a.user + " (uid " + std::to_string(u->second.uid) + ")";
        else {
            out.bytes.resize(size_t(st.st_size));
            ssize_t n = ::read(fd, out.bytes.data(), out.bytes.size());
            if (n != ssize_t(out.bytes.size())) why = " could not be read whole";
        }
        ::close(fd);
    }
    if (!why.empty()) {
        out.bytes.clear();
        out.failure = Failure{"the PulseAudio cookie " + a.cookie + why,
                              "correct audio.cookie in " + plan.profile.source_file +
                                  " (the cookie is a file of 256 bytes that belongs to the user whose sound server it opens)",
                              a.cookie};
    }
    return out;
}

std::optional<Failure> copy_pulse_cookie(const LaunchPlan& plan) {
    auto cookie = read_pulse_cookie(plan);
    if (cookie.failure) return cookie.failure;
    auto dest = plan.paths().pulse_cookie_copy();
    ::unlink(dest.c_str());  // an earlier run's; the folder is vmrun's own (0700)
    int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Failure{"cannot create " + dest + ": " + std::strerror(errno), "", dest};
    bool ok = ::write(fd, cookie.bytes.data(), cookie.bytes.size()) == ssize_t(cookie.bytes.size());
    ::close(fd);
    if (!ok) return Failure{"cannot write " + dest, "", dest};
    return std::nullopt;
}

}  // namespace vmrun
