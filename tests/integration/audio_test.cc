// Guest audio through a real PulseAudio server: the test starts one as an
// unprivileged user (nobody) with a null sink; vmrun starts QEMU (as root)
// with the pa driver, the server's socket and the user's cookie; the server
// lists QEMU's client and its playback stream, and the tiny guest's kernel
// lists the sound card in /proc/asound/cards. What cannot work (no server at
// the socket, no cookie for PulseAudio) is refused before anything starts.

#include <doctest/doctest.h>

#include <pwd.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "text_has.h"
#include "guest_console.h"
#include "run_vmrun.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace bp = boost::process;
namespace fs = std::filesystem;

namespace {


// A PulseAudio daemon of nobody's, in a folder of its own: HOME (where it
// writes its cookie) and XDG_RUNTIME_DIR (where its socket is).
struct PulseServer {
    TempDir dir;
    std::string home, runtime, socket, cookie;
    bp::child daemon;

    PulseServer() {
        const passwd* nobody = ::getpwnam("nobody");
        REQUIRE(nobody);
        home = dir / "home";
        runtime = dir / "runtime";
        socket = runtime + "/pulse/native";
        cookie = home + "/.config/pulse/cookie";
        fs::create_directories(home);
        fs::create_directories(runtime);
        write_file(dir / "default.pa", "load-module module-null-sink sink_name=vmrun_test_sink\nload-module module-native-protocol-unix\n");
        fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
        for (const auto& p : {home, runtime}) REQUIRE(::chown(p.c_str(), nobody->pw_uid, nobody->pw_gid) == 0);
        fs::permissions(runtime, fs::perms::owner_all);
        auto exe = bp::search_path("pulseaudio");
        REQUIRE_MESSAGE(!exe.empty(), "pulseaudio is not installed (scripts/install-deps.sh installs it)");
        daemon = bp::child(bp::search_path("setpriv"), "--reuid=nobody", "--regid=nogroup", "--clear-groups", bp::search_path("env"), "-i",
                           "HOME=" + home, "XDG_RUNTIME_DIR=" + runtime, "PATH=/usr/bin:/bin", exe, "-n", "-F", dir / "default.pa",
                           "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm=yes",
                           (bp::std_out & bp::std_err) > (dir / "pulseaudio.log"));
        auto deadline = std::chrono::steady_clock::now() + 30s;
        while (!(fs::exists(socket) && fs::exists(cookie)) && daemon.running() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(50ms);
        REQUIRE_MESSAGE(fs::exists(socket), "PulseAudio did not start: " << read_file(dir / "pulseaudio.log"));
    }
    ~PulseServer() {
        if (daemon.running()) daemon.terminate();
    }

    // pactl as root, with nobody's cookie: what the server itself reports.
    std::string pactl(const std::string& what) {
        bp::ipstream out;
        bp::child c(bp::search_path("pactl"), "--server=unix:" + socket, "list", "short", what, bp::env["PULSE_COOKIE"] = cookie,
                    bp::std_out > out, bp::std_err > bp::null);
        std::string text, line;
        while (std::getline(out, line)) text += line + "\n";
        c.wait();
        return text;
    }
};

}  // namespace

TEST_CASE("audio: QEMU plays into a real PulseAudio server of the desktop user's, and the guest's kernel has the card") {
    PulseServer pulse;
    for (const std::string model : {"ich9", "ac97"}) {
        CAPTURE(model);
        VmUnderTest vm("snd-" + model);
        write_file(vm.profile, tiny_guest_profile(vm.name, "audio:\n  backend: pulseaudio\n  model: " + model + "\n  server: " +
                                                               pulse.socket + "\n  cookie: " + pulse.cookie + "\n"));
        auto dry = run_vmrun(vm.env, {"dry-run", vm.profile});
        CHECK(has(dry.out, "PULSE_COOKIE=" + vm.runtime() + "/pulse-cookie "));
        CHECK(has(dry.out, "-audiodev pa,id=vmrun-audio,server=unix:" + pulse.socket));

        auto start = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
        INFO(start.out << start.err);
        REQUIRE(start.exit_code == 0);
        // QEMU is the server's client, with a playback stream on the null sink.
        auto clients = pulse.pactl("clients");
        INFO("clients:\n" << clients);
        CHECK(has(clients, "qemu-system-x86_64"));
        CHECK_FALSE(pulse.pactl("sink-inputs").empty());

        REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));
        auto cards = guest_run(vm.env, vm.name, "cat /proc/asound/cards");
        INFO("guest /proc/asound/cards:\n" << cards);
        CHECK(has(cards, model == "ich9" ? "HDA-Intel" : "ICH"));
        if (model == "ich9") {
            auto codec = guest_run(vm.env, vm.name, "cat /proc/asound/card0/codec#0 | head -3");
            INFO(codec);
            CHECK(has(codec, "QEMU"));  // hda-duplex, QEMU's own codec
        }

        CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);
        CHECK_FALSE(has(pulse.pactl("clients"), "qemu-system-x86_64"));
    }
}

TEST_CASE("audio: the user's cookie is read by vmrun, never handed to QEMU by name: a link to root's file, or root's file in its place, is refused") {
    PulseServer pulse;
    VmUnderTest vm("snd-cookie");
    // A root-only file the audio user (nobody) would like QEMU to read and overwrite.
    auto secret = vm.dir / "root-only-secret";
    write_file(secret, "root's secret, not a cookie\n");
    ::chmod(secret.c_str(), 0600);
    auto before = read_file(secret);
    auto link = pulse.home + "/.config/pulse/evil-cookie";
    fs::create_symlink(secret, link);
    write_file(vm.profile, tiny_guest_profile(vm.name, "audio: {backend: pulseaudio, user: nobody, server: " + pulse.socket +
                                                           ", cookie: " + link + "}\n"));
    auto linked = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    INFO(linked.err);
    CHECK(linked.exit_code != 0);
    CHECK(has(linked.err, "the PulseAudio cookie " + link + " is a symbolic link; vmrun reads only the file itself"));
    CHECK(read_file(secret) == before);
    CHECK_FALSE(fs::exists(vm.runtime()));

    // A file of root's at the path (a hard link, say): not the audio user's cookie.
    auto owned = pulse.home + "/.config/pulse/root-cookie";
    fs::copy_file(pulse.cookie, owned);
    write_file(vm.profile, tiny_guest_profile(vm.name, "audio: {backend: pulseaudio, user: nobody, server: " + pulse.socket +
                                                           ", cookie: " + owned + "}\n"));
    auto rooted = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    INFO(rooted.err);
    CHECK(rooted.exit_code != 0);
    CHECK(has(rooted.err, "the PulseAudio cookie " + owned + " belongs to uid 0, not to nobody"));
    CHECK_FALSE(fs::exists(vm.runtime()));
}

TEST_CASE("audio: no server at the socket, and PulseAudio without a cookie, are refused before anything starts") {
    PulseServer pulse;
    VmUnderTest vm("snd-refused");
    write_file(vm.profile, tiny_guest_profile(vm.name, "audio: {backend: pulseaudio, server: " + vm.dir / "no-such-socket" +
                                                           ", cookie: " + pulse.cookie + "}\n"));
    auto nosocket = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    CHECK(nosocket.exit_code != 0);
    CHECK(has(nosocket.err, "no sound server is listening at " + vm.dir / "no-such-socket"));
    CHECK(has(nosocket.err, "correct audio.server in " + vm.profile));
    CHECK_FALSE(fs::exists(vm.runtime()));

    // nobody's home has no cookie, so PulseAudio would say 'Access denied' to QEMU.
    write_file(vm.profile, tiny_guest_profile(vm.name, "audio: {backend: pulseaudio, user: nobody, server: " + pulse.socket + "}\n"));
    auto nocookie = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    CHECK(nocookie.exit_code != 0);
    CHECK(has(nocookie.err, "PulseAudio lets QEMU (which connects as root) in only with nobody's cookie"));
    CHECK(has(nocookie.err, "audio.cookie"));
    CHECK_FALSE(fs::exists(vm.runtime()));

    // The user's own socket is where vmrun looks when none is given.
    write_file(vm.profile, tiny_guest_profile(vm.name, "audio: {backend: pipewire, user: nobody}\n"));
    auto dflt = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    CHECK(dflt.exit_code != 0);
    CHECK(has(dflt.err, "no sound server is listening at /run/user/" + std::to_string(::getpwnam("nobody")->pw_uid) + "/pulse/native"));
    CHECK(has(dflt.err, "systemctl --user start pipewire-pulse"));
    CHECK_FALSE(fs::exists(vm.runtime()));
}
