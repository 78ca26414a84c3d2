// Tab completion as a shell runs it: the script 'vmrun completion bash' prints
// is sourced into a real bash, which is handed a line (COMP_LINE, COMP_POINT,
// COMP_WORDS, COMP_CWORD, split as bash splits them) and its _vmrun function
// called; what lands in COMPREPLY is what the user would be offered. Running
// VM names and device ids come from a real VM, PCI addresses from a
// simulated host. zsh's script runs in a real zsh with its completion
// builtins stood in for.

#include <doctest/doctest.h>

#include <boost/process.hpp>

#include <algorithm>
#include <filesystem>

#include "run_vmrun.h"
#include "sim_sysfs.h"
#include "temp_dir.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace bp = boost::process;
namespace fs = std::filesystem;

namespace {

// Sets up COMP_* for LINE as bash would (words also break at ':' and '='),
// calls _vmrun and prints COMPREPLY, one per line.
const char* kDriveBash = R"(
source "$1"
line=$2
COMP_LINE=$line
COMP_POINT=${#line}
read -r -a COMP_WORDS <<< "$line"
[[ $line == *' ' ]] && COMP_WORDS+=("")
last=${COMP_WORDS[-1]}
COMP_WORDS[-1]=${last##*[:=]}
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_vmrun
printf '%s\n' "${COMPREPLY[@]}"
)";

struct Shells {
    TempDir dir;
    std::string bash_script = dir / "vmrun.bash", zsh_script = dir / "_vmrun", driver = dir / "drive.bash";
    Shells() {
        write_file(bash_script, run_vmrun({}, {"completion", "bash"}).out);
        write_file(zsh_script, run_vmrun({}, {"completion", "zsh"}).out);
        write_file(driver, kDriveBash);
    }
};

std::vector<std::string> lines_sorted(const std::string& text) {
    auto out = lines_of(text);
    std::erase(out, "");
    std::sort(out.begin(), out.end());
    return out;
}

bp::environment shell_env(const VmrunEnv& env) {
    auto e = boost::this_process::environment();
    e["VMRUN_RUNTIME_DIR"] = env.runtime_dir.empty() ? "/nonexistent/run" : env.runtime_dir;
    e["VMRUN_STATE_DIR"] = env.state_dir.empty() ? "/nonexistent/state" : env.state_dir;
    if (!env.sysroot.empty()) e["VMRUN_SYSROOT"] = env.sysroot;
    return e;
}

// What bash offers for `line` typed after the vmrun binary's path, run in `cwd`.
std::vector<std::string> bash_offers(const Shells& s, const VmrunEnv& env, const std::string& line, const std::string& cwd = "/") {
    bp::ipstream out;
    bp::child c(bp::search_path("bash"), s.driver, s.bash_script, std::string(VMRUN_BINARY) + " " + line, shell_env(env),
                bp::start_dir = cwd, bp::std_out > out, bp::std_err > bp::null, bp::std_in < bp::null);
    std::string all, l;
    while (std::getline(out, l)) all += l + "\n";
    c.wait();
    return lines_sorted(all);
}

bool offers(const std::vector<std::string>& v, const std::string& word) { return std::find(v.begin(), v.end(), word) != v.end(); }

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& w : v) out += w + " ";
    return out;
}

}  // namespace

TEST_CASE("bash completion: commands and profiles, each command's options, option values") {
    Shells s;
    TempDir cwd;
    write_file(cwd / "win11.yaml", "name: x\n");
    write_file(cwd / "server.yml", "name: y\n");
    write_file(cwd / "notes.txt", "");
    fs::create_directory(cwd / "vms");

    auto first = bash_offers(s, {}, "", cwd.path.string());
    INFO(joined(first));
    for (const char* c : {"start", "stop", "hotplug", "unplug", "status", "iommu", "completion", "win11.yaml", "server.yml", "vms"})
        CHECK_MESSAGE(offers(first, c), c);
    CHECK_FALSE(offers(first, "notes.txt"));
    CHECK(bash_offers(s, {}, "hot") == std::vector<std::string>{"hotplug"});
    CHECK(bash_offers(s, {}, "--v") == std::vector<std::string>{"--verbose", "--version"});

    CHECK(bash_offers(s, {}, "hotplug demo --n") == std::vector<std::string>{"--nic", "--nvme"});
    CHECK(bash_offers(s, {}, "stop demo --") == std::vector<std::string>{"--force", "--help", "--timeout"});
    // An option already given is not offered again.
    CHECK(bash_offers(s, {}, "stop demo --force --") == std::vector<std::string>{"--help", "--timeout"});
    CHECK(bash_offers(s, {}, "hotplug demo --nic ") == std::vector<std::string>{"tap", "user"});
    // The profile's NIC models (the schema's network.model choices), as --persist would write them.
    CHECK(bash_offers(s, {}, "hotplug demo --model e") == std::vector<std::string>{"e1000", "e1000e"});
    // --opt=value: bash breaks the word at '=', so only the value is offered.
    CHECK(bash_offers(s, {}, "hotplug demo --format=q") == std::vector<std::string>{"qcow2"});
    CHECK(bash_offers(s, {}, "completion ") == std::vector<std::string>{"bash", "zsh"});
    // A profile's path: yaml files and folders.
    auto profile = bash_offers(s, {}, "validate ", cwd.path.string());
    CHECK(profile == std::vector<std::string>{"server.yml", "vms", "win11.yaml"});
    auto disk = bash_offers(s, {}, "hotplug demo --disk n", cwd.path.string());
    CHECK(disk == std::vector<std::string>{"notes.txt"});
    // export FORMAT PROFILE, import FORMAT XML (any file).
    CHECK(bash_offers(s, {}, "export ") == std::vector<std::string>{"libvirt"});
    CHECK(bash_offers(s, {}, "export libvirt ", cwd.path.string()) == std::vector<std::string>{"server.yml", "vms", "win11.yaml"});
    CHECK(offers(bash_offers(s, {}, "import libvirt ", cwd.path.string()), "notes.txt"));
}

TEST_CASE("bash completion: PCI addresses for hotplug --pci from the host's sysfs, bridges left out") {
    Shells s;
    TempDir host;
    sim_dl360(host.path.string());
    VmrunEnv env{"", "", host.path.string()};
    auto all = bash_offers(s, env, "hotplug vm --pci ");
    INFO(joined(all));
    CHECK(offers(all, "0000:5e:00.0"));
    CHECK(offers(all, "0000:86:00.0"));
    CHECK_FALSE(offers(all, "0000:5d:00.0"));  // a pcieport bridge
    // bash breaks at ':'; what it inserts is the rest after the last one.
    CHECK(bash_offers(s, env, "hotplug vm --pci 0000:5") == std::vector<std::string>{"5e:00.0", "5f:00.0"});
    CHECK(bash_offers(s, env, "hotplug vm --pci 0000:86:00.0,0000:86:0") == std::vector<std::string>{"00.0"});
}

TEST_CASE("bash completion: running VMs for their commands, device ids for unplug, VMs with a journal for restore") {
    Shells s;
    VmUnderTest vm("comp");
    write_file(vm.profile, tiny_guest_profile(vm.name));
    auto start = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);
    TempDir images;
    write_file(images / "extra.img", std::string(1 << 20, '\0'));
    auto disk = run_vmrun(vm.env, {"hotplug", vm.name, "--disk", images / "extra.img", "--id", "extra-disk"});
    INFO(disk.out << disk.err);
    REQUIRE(disk.exit_code == 0);

    for (const char* command : {"stop ", "console ", "status ", "hotplug ", "unplug ", "qmp "})
        CHECK_MESSAGE(bash_offers(s, vm.env, command) == std::vector<std::string>{"comp"}, command);
    CHECK(bash_offers(s, vm.env, "restore ") == std::vector<std::string>{"comp"});
    auto ids = bash_offers(s, vm.env, "unplug comp ");
    INFO(joined(ids));
    CHECK(offers(ids, "extra-disk"));
    CHECK(offers(ids, "rp1"));
    CHECK(bash_offers(s, vm.env, "unplug comp ex") == std::vector<std::string>{"extra-disk"});
    // After the ID nothing more is positional: options only.
    CHECK(bash_offers(s, vm.env, "unplug comp extra-disk ").empty());
    CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);
    CHECK(bash_offers(s, vm.env, "stop ").empty());
}

TEST_CASE("zsh completion: the same answers through _describe and _files") {
    if (bp::search_path("zsh").empty()) {
        MESSAGE("SKIPPED: zsh is not installed (scripts/install-deps.sh installs it)");
        return;
    }
    Shells s;
    TempDir cwd;
    // zsh's completion system stood in for: what _describe and _files would be given.
    std::string driver = cwd / "drive.zsh";
    write_file(driver, R"(
_describe() { print -rl -- "DESCRIBE ${(@P)4}" }
_files() { print -r -- "FILES $*" }
source "$1"
words=(${=2}); [[ $2 == *' ' ]] && words+=('')
CURRENT=${#words}
_vmrun
)");
    TempDir host;
    sim_dl360(host.path.string());
    auto zsh = [&](const std::string& line) {
        bp::ipstream out;
        bp::child c(bp::search_path("zsh"), "-f", driver, s.zsh_script, std::string(VMRUN_BINARY) + " " + line,
                    shell_env({"", "", host.path.string()}),
                    bp::std_out > out, bp::std_err > bp::null, bp::std_in < bp::null);
        std::string all, l;
        while (std::getline(out, l)) all += l + "\n";
        c.wait();
        return all;
    };
    auto nic = zsh("hotplug demo --nic ");
    INFO(nic);
    CHECK(nic == "DESCRIBE user:a NIC: user networking, or a tap on --bridge\ntap:a NIC: user networking, or a tap on --bridge\n");
    auto first = zsh("");
    CHECK(first.find("start:start a VM from its profile") != std::string::npos);
    CHECK(first.find("FILES -g *.(yaml|yml)(-.)") != std::string::npos);
    // zsh's _describe reads "word:description": the address's colons are escaped.
    auto pci = zsh("hotplug demo --pci ");
    CHECK(pci.find("0000\\:5e\\:00.0:144d:a808 nvme") != std::string::npos);
}
