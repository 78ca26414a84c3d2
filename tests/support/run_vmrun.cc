#include "run_vmrun.h"

#include <boost/process.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "qemu_process.h"

namespace bp = boost::process;

namespace vmrun::testing {

namespace {

bp::environment vmrun_environment(const VmrunEnv& env) {
    bp::environment e = boost::this_process::environment();
    e["VMRUN_RUNTIME_DIR"] = env.runtime_dir;
    e["VMRUN_STATE_DIR"] = env.state_dir;
    if (!env.sysroot.empty()) e["VMRUN_SYSROOT"] = env.sysroot;
    if (!env.shm_dir.empty()) e["VMRUN_SHM_DIR"] = env.shm_dir;
    for (const auto& [name, value] : env.variables) e[name] = value;
    return e;
}

// The program and arguments that run vmrun ARGS, inside env.netns when set.
std::pair<boost::filesystem::path, std::vector<std::string>> vmrun_command(const VmrunEnv& env, const std::vector<std::string>& args) {
    if (env.netns.empty()) return {VMRUN_BINARY, args};
    std::vector<std::string> all = {"netns", "exec", env.netns, VMRUN_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    return {bp::search_path("ip"), all};
}

boost::filesystem::path working_dir(const VmrunEnv& env) {
    return env.working_dir.empty() ? boost::filesystem::current_path() : boost::filesystem::path(env.working_dir);
}

}  // namespace

pid_t spawn_vmrun(const VmrunEnv& env, const std::vector<std::string>& args, const std::string& log) {
    auto [exe, all] = vmrun_command(env, args);
    bp::child c(exe, bp::args = all, (bp::std_out & bp::std_err) > log, bp::std_in < bp::null, vmrun_environment(env),
                bp::start_dir = working_dir(env));
    pid_t pid = c.id();
    c.detach();  // the test reaps it with waitpid
    return pid;
}

CommandResult run_vmrun(const VmrunEnv& env, const std::vector<std::string>& args, const std::string& input,
                        std::chrono::seconds timeout) {
    auto e = vmrun_environment(env);
    boost::asio::io_context io;
    std::future<std::string> out, err;
    bp::async_pipe in(io);
    auto [exe, all] = vmrun_command(env, args);
    bp::child c(exe, bp::args = all, bp::std_out > out, bp::std_err > err, bp::std_in < in, e, io, bp::start_dir = working_dir(env));
    boost::asio::async_write(in, boost::asio::buffer(input), [&](auto, auto) { in.close(); });
    std::thread runner([&] { io.run(); });
    CommandResult r;
    std::error_code ec;
    if (!wait_exit_for(c, timeout)) {
        c.terminate(ec);
        r.err = "(timed out)\n";
    }
    runner.join();
    r.exit_code = c.exit_code();
    r.out = out.get();
    r.err += err.get();
    return r;
}

bool wait_for_text(const std::string& path, const std::string& text, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(path);
        std::string all((std::istreambuf_iterator<char>(in)), {});
        if (all.find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

std::string tiny_guest_dir() { return std::string(VMRUN_SOURCE_DIR) + "/build/tiny-guest"; }

std::string tiny_guest_profile(const std::string& name, const std::string& extra) {
    bool kvm = test_accelerator() == "kvm";
    return "name: " + name + "\n" +
           (kvm ? "accelerator: kvm\ncpu: host\n" : "accelerator: tcg\ncpu: max\n") +
           "memory: 256M\n"
           "kernel:\n"
           "  image: " + tiny_guest_dir() + "/vmlinuz\n"
           "  initrd: " + tiny_guest_dir() + "/initrd.cpio.gz\n"
           "  cmdline: console=ttyS0 panic=-1 loglevel=4\n"
           "network:\n  - type: user\n"
           "serial: socket\n"
           "headless: true\n"
           "shutdown_timeout: 30\n" + extra;
}

std::string tiny_guest_agent_profile(const std::string& name, const std::string& extra, const std::string& cmdline_extra) {
    auto profile = tiny_guest_profile(name, "guest_agent: true\n" + extra);
    const std::string initrd = "initrd.cpio.gz", cmdline = "loglevel=4";
    profile.replace(profile.find(initrd), initrd.size(), "initrd-agent.cpio.gz");
    if (!cmdline_extra.empty()) profile.replace(profile.find(cmdline), cmdline.size(), cmdline + " " + cmdline_extra);
    return profile;
}

}  // namespace vmrun::testing
