// QMP round trip of query-status: the qmp/ client against a minimal raw-socket
// client sending the same bytes, on the same QEMU in the same run,
// alternating in batches so that neither gets the quieter half of the machine.
// A third series without an "id" shows what the id costs inside QEMU 7.2
// (~140 us here): that part is QEMU's, not the client's.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "bench_util.h"
#include "qmp/client.h"

namespace {

// The least a client can do: write the command, read until the reply's newline.
class RawClient {
public:
    explicit RawClient(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect");
        read_line();  // greeting
        round_trip("{\"execute\":\"qmp_capabilities\"}\n");
    }
    ~RawClient() { ::close(fd_); }
    std::string round_trip(const std::string& cmd) {
        [[maybe_unused]] auto w = ::write(fd_, cmd.data(), cmd.size());
        return read_line();
    }

private:
    std::string read_line() {
        for (;;) {
            auto nl = buf_.find('\n');
            if (nl != std::string::npos) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                return line;
            }
            char tmp[4096];
            ssize_t n = ::read(fd_, tmp, sizeof tmp);
            if (n <= 0) throw std::runtime_error("read");
            buf_.append(tmp, size_t(n));
        }
    }
    int fd_ = -1;
    std::string buf_;
};

}  // namespace

int qmp_latency_main(int samples) {
    auto dir = std::filesystem::temp_directory_path() / ("vmrun-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string ours = (dir / "b.sock").string(), raw = (dir / "a.sock").string();
    boost::process::child qemu(boost::process::search_path("qemu-system-x86_64"), "-machine", "none", "-nodefaults",
                               "-display", "none", "-chardev", "socket,id=a,path=" + ours + ",server=on,wait=off", "-mon",
                               "chardev=a,mode=control", "-chardev", "socket,id=b,path=" + raw + ",server=on,wait=off",
                               "-mon", "chardev=b,mode=control");
    while (!std::filesystem::exists(ours) || !std::filesystem::exists(raw)) std::this_thread::sleep_for(std::chrono::milliseconds(10));

    qmp::Client client;
    if (client.connect_unix(ours)) return 1;
    RawClient plain(raw);
    std::vector<double> a, b, c;
    for (int i = 0; i < 200; ++i) {  // warm-up
        client.execute("query-status");
        plain.round_trip("{\"execute\":\"query-status\"}\n");
    }
    for (int batch = 0; batch < samples / 100; ++batch) {
        for (int i = 0; i < 100; ++i) {
            auto t0 = bench::Clock::now();
            auto r = client.execute("query-status");
            a.push_back(bench::ms_since(t0) * 1000);
            if (!r) return 1;
        }
        for (int i = 0; i < 100; ++i) {
            auto t0 = bench::Clock::now();
            // The same bytes our client sends: a command with an id.
            plain.round_trip("{\"execute\":\"query-status\",\"id\":\"raw-" + std::to_string(i) + "\"}\n");
            b.push_back(bench::ms_since(t0) * 1000);
        }
        for (int i = 0; i < 100; ++i) {
            auto t0 = bench::Clock::now();
            plain.round_trip("{\"execute\":\"query-status\"}\n");
            c.push_back(bench::ms_since(t0) * 1000);
        }
    }
    auto sa = bench::stats(a), sb = bench::stats(b);
    char note[64];
    std::snprintf(note, sizeof note, "(ratio %.2fx)", sa.median / sb.median);
    bench::row("QMP query-status round trip, qmp/ client", sa, "us", note);
    bench::row("QMP query-status round trip, raw socket client, same bytes", sb, "us");
    bench::row("  (raw socket client, no id: QEMU answers id-less commands faster)", bench::stats(c), "us");
    client.execute("quit");
    qemu.wait();
    std::filesystem::remove_all(dir);
    return 0;
}
