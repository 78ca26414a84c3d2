// Host commands (a display manager's stop and start, systemctl, modprobe):
// the time limit stops what the command started too, and a daemon it leaves
// behind cannot keep filling vmrun's record of its output.

#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "host/run_command.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace std::chrono_literals;
using vmrun::testing::TempDir;

namespace {

pid_t pid_in(const std::string& file) {
    std::ifstream in(file);
    pid_t pid = 0;
    in >> pid;
    return pid;
}

// Gone or a zombie waiting for its reaper.
bool ended_within(pid_t pid, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return true;
        auto close = line.rfind(')');
        if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
}

}  // namespace

TEST_CASE("a host command: its exit status and the end of its output") {
    auto r = run_command({"sh", "-c", "echo started; echo failing >&2; exit 3"}, 10s);
    CHECK(r.exit_code == 3);
    CHECK(r.output == "started\nfailing\n");
    CHECK(r.describe() == "exit status 3: started\nfailing");
    CHECK(run_command({"no-such-program-vmrun"}, 10s).describe().find("is not installed") != std::string::npos);
}

TEST_CASE("the time limit stops the command and what it started") {
    TempDir dir;
    std::string file = dir / "grandchild";
    auto r = run_command({"sh", "-c", "sleep 300 & echo $! > " + file + "; sleep 300"}, 1s);
    CHECK(r.timed_out);
    pid_t grandchild = pid_in(file);
    REQUIRE(grandchild > 0);
    bool ended = ended_within(grandchild, 5s);
    if (!ended) ::kill(grandchild, SIGKILL);
    CHECK(ended);
}

TEST_CASE("a daemon the command leaves behind cannot keep writing into vmrun's record of its output") {
    TempDir dir;
    std::string file = dir / "daemon";
    // Like a start command that forks the display manager and returns.
    auto r = run_command({"sh", "-c", "yes & echo $! > " + file}, 10s);
    CHECK(r.exit_code == 0);
    pid_t daemon = pid_in(file);
    REQUIRE(daemon > 0);
    bool ended = ended_within(daemon, 5s);  // its writes fail: yes ends on a write error
    if (!ended) ::kill(daemon, SIGKILL);
    CHECK(ended);
}

TEST_CASE("find_program: PATH in order, then /usr/sbin and /sbin; only executable files; a path with '/' as it is") {
    TempDir first, second;
    auto make = [](const std::filesystem::path& p, std::filesystem::perms mode) {
        std::ofstream(p) << "#!/bin/sh\n";
        std::filesystem::permissions(p, mode);
    };
    using std::filesystem::perms;
    make(first.path / "tool-a", perms::owner_read | perms::owner_write);  // not executable: passed over
    make(second.path / "tool-a", perms::owner_all);
    make(first.path / "tool-b", perms::owner_all);
    std::filesystem::create_directory(first.path / "tool-dir");  // a folder is no program
    std::filesystem::permissions(first.path / "tool-dir", perms::owner_all);
    const char* old = std::getenv("PATH");
    std::string saved = old ? old : "";
    ::setenv("PATH", ("::" + first.path.string() + ":" + second.path.string()).c_str(), 1);
    CHECK(find_program("tool-a") == (second.path / "tool-a").string());
    CHECK(find_program("tool-b") == (first.path / "tool-b").string());
    CHECK(find_program("tool-dir") == "");
    CHECK(find_program("no-such-tool-vmrun") == "");
    CHECK(find_program("") == "");
    // Not in PATH, still found where system tools live.
    if (std::filesystem::exists("/usr/sbin/ip") || std::filesystem::exists("/sbin/ip")) CHECK(find_program("ip") != "");
    CHECK(find_program((first.path / "tool-b").string()) == (first.path / "tool-b").string());
    CHECK(find_program((first.path / "tool-a").string()) == "");
    ::setenv("PATH", saved.c_str(), 1);
}
