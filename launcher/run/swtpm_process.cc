#include "run/swtpm_process.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "host/process_watch.h"
#include "plan/swtpm_argv.h"
#include "run/child_process.h"
#include "run/private_dir.h"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace vmrun {

namespace {

// The last lines of swtpm's log, for a start that failed.
std::string log_tail(const std::string& path) {
    std::ifstream in(path);
    std::string line, out;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    for (size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) out += "\n  " + lines[i];
    return out;
}

std::string prepare_state(const LaunchPlan& plan) {
    const auto& paths = plan.paths();
    auto dir = paths.tpm_state_dir();
    std::error_code ec;
    if (plan.profile.tpm->reset && fs::exists(dir, ec)) {
        fs::remove_all(dir, ec);
        if (ec) return "cannot wipe the TPM state " + dir + " (tpm.reset): " + ec.message();
        spdlog::info("wiped the TPM state {} (tpm.reset)", dir);
    }
    if (plan.profile.run_as.empty()) return make_private_dir(dir);
    // swtpm drops to run_as before it touches its state: the folder, its files
    // and the log are that user's, and nobody else's.
    fs::create_directories(dir, ec);
    if (ec) return "cannot create " + dir + ": " + ec.message();
    auto* pw = ::getpwnam(plan.profile.run_as.c_str());
    if (!pw) return "run_as user '" + plan.profile.run_as + "' does not exist";
    ::chmod(dir.c_str(), 0700);
    std::vector<std::string> owned = {dir, paths.swtpm_log()};
    std::ofstream(paths.swtpm_log(), std::ios::app).close();
    for (const auto& e : fs::directory_iterator(dir, ec)) owned.push_back(e.path().string());
    for (const auto& p : owned)
        if (::lchown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) return "cannot hand " + p + " to " + plan.profile.run_as;
    return "";
}

}  // namespace

std::string start_swtpm(const LaunchPlan& plan, Journal& journal, bp::child& child) {
    if (auto err = swtpm_path_problem(plan); !err.empty()) return err;
    if (auto err = prepare_state(plan); !err.empty()) return err;
    const auto& socket = plan.paths().swtpm_socket();
    std::error_code ec;
    fs::remove(socket, ec);  // left by a swtpm that died with its VM
    auto argv = build_swtpm_argv(plan);
    auto exe = argv[0].find('/') == std::string::npos ? bp::search_path(argv[0]) : boost::filesystem::path(argv[0]);
    if (exe.empty()) return "swtpm is not installed (apt-get install swtpm)";
    child = bp::child(exe, bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()), bp::std_in < bp::null,
                      OwnProcessGroup{}, ec);
    if (ec || !child.valid()) return "cannot start swtpm: " + ec.message();
    pid_t pid = child.id();
    auto started = process_start_time(pid);
    if (auto jec = journal.record({"swtpm-process", {{"pid", pid}, {"start_time", started.value_or(0)}}})) {
        ::kill(pid, SIGKILL);
        child.wait(ec);
        return "cannot write the journal " + journal.path() + ": " + jec.message();
    }
    // Ready once it listens; QEMU would fail to connect before that.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!fs::exists(socket, ec)) {
        if (!child.running(ec)) return "swtpm exited at start:" + log_tail(plan.paths().swtpm_log());
        if (std::chrono::steady_clock::now() > deadline) return "swtpm did not create " + socket + " within 10 s";
        std::this_thread::sleep_for(2ms);
    }
    spdlog::info("swtpm (pid {}) serves the TPM from {}", pid, plan.paths().tpm_state_dir());
    return "";
}

}  // namespace vmrun
