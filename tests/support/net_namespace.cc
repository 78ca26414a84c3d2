#include "net_namespace.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/process.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace bp = boost::process;

namespace vmrun::testing {

namespace {

int run(const std::vector<std::string>& argv, std::string& out) {
    bp::ipstream pipe;
    std::error_code ec;
    bp::child c(bp::search_path(argv[0]), bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
                (bp::std_out & bp::std_err) > pipe, bp::std_in < bp::null, ec);
    if (ec) {
        out = ec.message();
        return -1;
    }
    std::string line;
    out.clear();
    while (std::getline(pipe, line)) out += line + "\n";
    c.wait();
    return c.exit_code();
}

}  // namespace

NetNamespace::NetNamespace() {
    static std::atomic<int> counter{0};
    name_ = "vmrun-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    ip("netns add " + name_);
    ip("-n " + name_ + " link set lo up");
}

NetNamespace::~NetNamespace() {
    std::string out;
    run({"ip", "netns", "del", name_}, out);
}

std::string NetNamespace::ip(const std::string& args) const {
    std::vector<std::string> argv = {"ip"};
    std::string word;
    for (char c : args + " ") {
        if (c == ' ') {
            if (!word.empty()) argv.push_back(word);
            word.clear();
        } else word += c;
    }
    std::string out;
    if (run(argv, out) != 0) throw std::runtime_error("ip " + args + ": " + out);
    return out;
}

int NetNamespace::exec(const std::string& command, std::string& out) const {
    return run({"ip", "netns", "exec", name_, "sh", "-c", command}, out);
}

std::string NetNamespace::links() const {
    auto all = nlohmann::json::parse(ip("-n " + name_ + " -j -d link show"));
    std::vector<std::string> lines;
    for (const auto& l : all) {
        nlohmann::json kept;
        for (const char* k : {"ifname", "flags", "mtu", "master", "address", "operstate"})
            if (l.contains(k)) kept[k] = l[k];
        if (l.contains("linkinfo")) kept["kind"] = l["linkinfo"].value("info_kind", "");
        lines.push_back(kept.dump());
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& s : lines) out += s + "\n";
    return out;
}

}  // namespace vmrun::testing
