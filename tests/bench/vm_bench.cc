// vmrun's own cost with a real QEMU and the tiny guest: start to QMP-ready and
// to the first serial line next to exec'ing the identical QEMU argv by hand,
// hotplug to guest-visible, unplug to DEVICE_DELETED, the supervisor's
// footprint while the guest idles, and --dry-run time.

#include <poll.h>
#include <sys/syscall.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>

#include "bench_util.h"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct Env {
    std::string vmrun, source, dir;
    bp::environment env = boost::this_process::environment();
};

int run(Env& e, const std::vector<std::string>& args, std::string* out = nullptr) {
    bp::ipstream o;
    bp::child c(e.vmrun, bp::args = args, e.env, bp::std_out > o, bp::std_err > bp::null, bp::std_in < bp::null);
    std::string all, line;
    while (std::getline(o, line)) all += line + "\n";
    c.wait();
    if (out) *out = all;
    return c.exit_code();
}

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool wait_for(const std::string& path, const std::string& text, std::chrono::seconds limit, size_t from = 0) {
    auto deadline = bench::Clock::now() + limit;
    while (bench::Clock::now() < deadline) {
        auto all = read_all(path);
        if (all.size() > from && (text.empty() || all.find(text, from) != std::string::npos)) return true;
        std::this_thread::sleep_for(1ms);
    }
    return false;
}

std::string profile_text(const std::string& name, const std::string& source) {
    std::string g = source + "/build/tiny-guest";
    return "name: " + name + "\naccelerator: tcg\ncpu: max\nmemory: 256M\nkernel:\n  image: " + g + "/vmlinuz\n  initrd: " + g +
           "/initrd.cpio.gz\n  cmdline: console=ttyS0 panic=-1 loglevel=4\nnetwork:\n  - type: user\nheadless: true\n";
}

// Exec QEMU with argv, connect QMP, greeting + qmp_capabilities (+ cont when paused).
double bare_to_qmp_ready(std::vector<std::string> argv, const std::string& sock, bool paused) {
    fs::remove(sock);
    if (paused) argv.push_back("-S");
    auto t0 = bench::Clock::now();
    bp::child q(argv[0], bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()), bp::std_out > bp::null,
                bp::std_err > bp::null);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, sock.c_str(), sizeof a.sun_path - 1);
    auto limit = bench::Clock::now() + 30s;
    while (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        if (bench::Clock::now() > limit) throw std::runtime_error("QEMU by hand did not come up");
        std::this_thread::sleep_for(1ms);
    }
    auto read_line = [&] {
        std::string l;
        char c;
        while (::read(fd, &c, 1) == 1 && c != '\n') l += c;
        return l;
    };
    read_line();
    std::string caps = "{\"execute\":\"qmp_capabilities\"}\n", cont = "{\"execute\":\"cont\"}\n";
    [[maybe_unused]] auto w1 = ::write(fd, caps.data(), caps.size());
    read_line();
    if (paused) {
        [[maybe_unused]] auto w2 = ::write(fd, cont.data(), cont.size());
        for (std::string l = read_line(); !l.empty() && l.find("return") == std::string::npos;) l = read_line();
    }
    double ms = bench::ms_since(t0);
    std::string quit = "{\"execute\":\"quit\"}\n";
    [[maybe_unused]] auto w3 = ::write(fd, quit.data(), quit.size());
    read_line();  // QEMU drops a command whose connection closes before it runs
    ::close(fd);
    // Polled, not child::wait_for: Boost 1.74's can sleep out its timeout (boostorg/process#223).
    std::error_code ec;
    for (int i = 0; i < 2000 && q.running(ec); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (q.running(ec)) q.terminate(ec);
    return ms;
}

// 'vmrun stop --force', timed from QEMU's exit (its pidfd turns readable) to
// the moment the stop command returns: what vmrun adds after QEMU is gone.
double stop_after_qemu_exit(Env& e, const std::string& qemu_pid_file) {
    pid_t qemu = std::stoi(read_all(qemu_pid_file));
    int pidfd = int(::syscall(SYS_pidfd_open, qemu, 0));
    if (pidfd < 0) throw std::runtime_error("pidfd_open failed");
    bp::child stop(e.vmrun, bp::args = {"stop", "bench", "--force"}, e.env, bp::std_out > bp::null, bp::std_err > bp::null,
                   bp::std_in < bp::null);
    pollfd p{pidfd, POLLIN, 0};
    if (::poll(&p, 1, 30000) != 1) throw std::runtime_error("QEMU did not exit on stop --force");
    auto exited = bench::Clock::now();
    stop.wait();
    double ms = bench::ms_since(exited);
    ::close(pidfd);
    return ms;
}

}  // namespace

int vm_bench_main(const std::string& vmrun, const std::string& source, int rounds, int idle_seconds) {
    Env e{vmrun, source, (fs::temp_directory_path() / ("vmrun-vmbench-" + std::to_string(::getpid()))).string()};
    fs::create_directories(e.dir);
    // The runtime folder where a host keeps it (/run is a tmpfs): /dev/shm when
    // that is one. Both sides of the comparison put their sockets there.
    std::string runtime_base = e.dir;
    if (struct statfs shm {}; ::statfs("/dev/shm", &shm) == 0 && shm.f_type == TMPFS_MAGIC)
        runtime_base = "/dev/shm/vmrun-vmbench-" + std::to_string(::getpid());
    e.env["VMRUN_RUNTIME_DIR"] = runtime_base + "/run";
    e.env["VMRUN_STATE_DIR"] = e.dir + "/state";
    std::string profile = e.dir + "/bench.yaml";
    std::ofstream(profile) << profile_text("bench", source);
    std::string console = e.dir + "/state/bench/console.log";

    // The exact argv vmrun would run, for the by-hand side.
    std::string json;
    run(e, {"--dry-run", profile, "--json"}, &json);
    auto argv = nlohmann::json::parse(json).get<std::vector<std::string>>();
    argv[0] = bp::search_path(argv[0]).string();
    fs::create_directories(runtime_base + "/run/bench");
    fs::create_directories(e.dir + "/state/bench");
    std::string qmp = runtime_base + "/run/bench/supervisor.sock";

    std::vector<double> vm_ready, bare_ready, vm_serial, bare_serial, stop_latency;
    auto progress = [](const char* what) { std::fprintf(stderr, "bench: %s\n", what); };
    for (int i = 0; i < rounds; ++i) {
        // Which side goes first alternates: the second of a pair finds QEMU's
        // pages in the cache warmer, and that must not favour one side.
        auto bare_start = [&] {
            progress("bare start");
            fs::create_directories(runtime_base + "/run/bench");  // vmrun stop removed it
            bare_ready.push_back(bare_to_qmp_ready(argv, qmp, true));
        };
        auto vmrun_start = [&] {
            progress("vmrun start");
            auto t0 = bench::Clock::now();
            if (run(e, {"start", profile}) != 0) return false;
            vm_ready.push_back(bench::ms_since(t0));
            stop_latency.push_back(stop_after_qemu_exit(e, runtime_base + "/run/bench/qemu.pid"));
            return true;
        };
        if (i % 2 == 0) bare_start();
        if (!vmrun_start()) return 1;
        if (i % 2 == 1) bare_start();

        progress("bare serial");
        // First serial byte: both write the console log through the same chardev.
        fs::remove(console);
        fs::create_directories(runtime_base + "/run/bench");
        auto t0 = bench::Clock::now();
        bp::child q(argv[0], bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()), bp::std_out > bp::null,
                    bp::std_err > bp::null);
        if (!wait_for(console, "", 60s)) return 1;
        bare_serial.push_back(bench::ms_since(t0));
        q.terminate();
        q.wait();
        fs::remove(console);
        progress("vmrun serial");
        t0 = bench::Clock::now();
        run(e, {"start", profile});
        if (!wait_for(console, "", 60s)) return 1;
        vm_serial.push_back(bench::ms_since(t0));
        run(e, {"stop", "bench", "--force"});
    }
    auto r = bench::stats(vm_ready), b = bench::stats(bare_ready);
    char note[96];
    std::snprintf(note, sizeof note, "(%+.1f%% vs by hand)", (r.median / b.median - 1) * 100);
    bench::row("start to QMP-ready + running: vmrun start", r, "ms", note);
    bench::row("start to QMP-ready + running: QEMU argv by hand + raw QMP", b, "ms");
    // Each round ran both, back to back: the per-round ratio cancels drift in load.
    std::vector<double> ratios;
    for (size_t i = 0; i < vm_ready.size(); ++i) ratios.push_back(vm_ready[i] / bare_ready[i]);
    std::snprintf(note, sizeof note, "(ratio of medians %.3fx)", r.median / b.median);
    bench::row("  vmrun start / by hand, per interleaved round", bench::stats(ratios), "x", note);
    bench::row("QEMU's exit to 'vmrun stop --force' returning", bench::stats(stop_latency), "ms");
    r = bench::stats(vm_serial), b = bench::stats(bare_serial);
    std::snprintf(note, sizeof note, "(%+.1f%% vs by hand)", (r.median / b.median - 1) * 100);
    bench::row("start to the guest's first serial output: vmrun start", r, "ms", note);
    bench::row("start to the guest's first serial output: QEMU by hand", b, "ms");

    // Hotplug to guest-visible (the guest's own uevent line), unplug to DEVICE_DELETED.
    if (run(e, {"start", profile}) != 0 || !wait_for(console, "VMRUN-GUEST-READY", 120s)) return 1;
    std::string image = e.dir + "/scratch.img";
    std::ofstream(image) << std::string(1 << 20, '\0');
    std::vector<double> disk_in, disk_out, nic_in, nic_out;
    for (int i = 0; i < rounds; ++i) {
        size_t from = read_all(console).size();
        auto t0 = bench::Clock::now();
        if (run(e, {"hotplug", "bench", "--disk", image, "--id", "d"}) != 0) return 1;
        if (!wait_for(console, "VMRUN-UEVENT add block vd", 30s, from)) return 1;
        disk_in.push_back(bench::ms_since(t0));
        t0 = bench::Clock::now();
        if (run(e, {"unplug", "bench", "d"}) != 0) return 1;
        disk_out.push_back(bench::ms_since(t0));
        from = read_all(console).size();
        t0 = bench::Clock::now();
        if (run(e, {"hotplug", "bench", "--nic", "user", "--id", "n"}) != 0) return 1;
        if (!wait_for(console, "VMRUN-UEVENT add net eth", 30s, from)) return 1;
        nic_in.push_back(bench::ms_since(t0));
        t0 = bench::Clock::now();
        if (run(e, {"unplug", "bench", "n"}) != 0) return 1;
        nic_out.push_back(bench::ms_since(t0));
    }
    bench::row("vmrun hotplug --disk to the guest's block device (TCG)", bench::stats(disk_in), "ms");
    bench::row("vmrun unplug of that disk to DEVICE_DELETED", bench::stats(disk_out), "ms");
    bench::row("vmrun hotplug --nic user to the guest's interface (TCG)", bench::stats(nic_in), "ms");
    bench::row("vmrun unplug of that NIC to DEVICE_DELETED", bench::stats(nic_out), "ms");

    // Supervisor footprint while the guest idles.
    auto sup = std::stoi(read_all(runtime_base + "/run/bench/supervisor.pid"));
    auto cpu_ticks = [&] {
        std::string stat = read_all("/proc/" + std::to_string(sup) + "/stat");
        std::istringstream f(stat.substr(stat.rfind(')') + 2));
        std::string x;
        long ut = 0, st = 0;
        for (int i = 3; i <= 15 && f >> x; ++i) {
            if (i == 14) ut = std::stol(x);
            if (i == 15) st = std::stol(x);
        }
        return ut + st;
    };
    long before = cpu_ticks();
    std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
    long after = cpu_ticks();
    std::string status = read_all("/proc/" + std::to_string(sup) + "/status");
    auto field_kb = [&](const std::string& k) {
        auto p = status.find(k + ":");
        return p == std::string::npos ? 0.0 : std::stod(status.substr(p + k.size() + 1));
    };
    bench::Stats rss{field_kb("VmHWM") / 1024, field_kb("VmRSS") / 1024, field_kb("VmHWM") / 1024, 0, 1};
    bench::row("supervisor peak RSS (VmHWM; min column: RSS now)", rss, "MiB");
    double cpu_ms = double(after - before) * 1000.0 / double(sysconf(_SC_CLK_TCK));
    bench::Stats cpu{cpu_ms, cpu_ms, cpu_ms, 0, 1};
    bench::row("supervisor CPU time over " + std::to_string(idle_seconds) + " s of guest idle", cpu, "ms");
    run(e, {"stop", "bench", "--force"});

    std::vector<double> dry;
    std::string largest = source + "/profiles/win10-gaming.yaml";
    for (int i = 0; i < 50; ++i) {
        auto t0 = bench::Clock::now();
        run(e, {"--dry-run", largest});
        dry.push_back(bench::ms_since(t0));
    }
    bench::row("vmrun --dry-run profiles/win10-gaming.yaml (whole process)", bench::stats(dry), "ms");
    fs::remove_all(e.dir);
    fs::remove_all(runtime_base);
    return 0;
}
