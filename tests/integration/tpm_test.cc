// The guest's TPM 2.0 from a real swtpm: the tiny guest sees it, a second
// start finds the same TPM (its state kept in the VM's state folder),
// `tpm: {reset: true}` starts afresh, swtpm dying is reported, and no swtpm
// or socket outlives the VM — after stop, QEMU's crash, or `vmrun restore`
// after a SIGKILLed supervisor.
//
// The guest asks the TPM itself with TPM2_ReadClock, written raw to
// /dev/tpm0 with busybox: its resetCount counts the TPM's starts and lives
// in the TPM's persistent state, so it only grows if that state survived.

#include <doctest/doctest.h>

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "text_has.h"
#include "guest_console.h"
#include "host/process_watch.h"
#include "run_vmrun.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {


struct TpmVm : VmUnderTest {
    explicit TpmVm(const std::string& vm_name, const std::string& tpm = "tpm: true\n") : VmUnderTest(vm_name) { use(tpm); }
    void use(const std::string& tpm) { write_file(profile, tiny_guest_profile(name, tpm)); }
    void start() {
        auto r = run_vmrun(env, {"start", profile});
        INFO("start: " << r.out << r.err);
        REQUIRE(r.exit_code == 0);
        REQUIRE_MESSAGE(wait_for_text(state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(state() + "/console.log"));
    }
    void stop() {
        auto r = run_vmrun(env, {"stop", name});
        INFO("stop: " << r.out << r.err);
        CHECK(r.exit_code == 0);
    }
    std::string socket() const { return paths().swtpm_socket(); }
    // Every swtpm serving this VM's TPM state (working in its folder).
    std::vector<pid_t> swtpms() const {
        std::vector<pid_t> out;
        for (const auto& p : fs::directory_iterator("/proc")) {
            auto pid = p.path().filename().string();
            if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
            std::error_code ec;
            auto cmd = vmrun::process_cmdline(std::stoi(pid));
            if (cmd.empty() || fs::path(cmd[0]).filename() != "swtpm") continue;
            if (fs::read_symlink(p.path() / "cwd", ec) == fs::weakly_canonical(state() + "/tpm", ec) &&
                vmrun::process_alive(std::stoi(pid)))
                out.push_back(std::stoi(pid));
        }
        return out;
    }
    void require_no_swtpm_left() const {
        for (int i = 0; i < 50 && !swtpms().empty(); ++i) std::this_thread::sleep_for(100ms);
        CHECK(swtpms().empty());
        CHECK_FALSE(fs::exists(socket()));
    }
};

struct TpmClock {
    bool ok = false;
    uint64_t clock = 0;
    uint32_t reset_count = 0;
};

// TPM2_ReadClock (TPM_ST_NO_SESSIONS, 10 bytes, TPM_CC_ReadClock 0x181) in one
// write — dd gathers printf's pieces — and the 35-byte answer as decimal bytes.
TpmClock read_clock(const VmUnderTest& vm) {
    auto out = guest_run(vm.env, vm.name,
                         "exec 3<>/dev/tpm0; printf '\\200\\001\\000\\000\\000\\012\\000\\000\\001\\201' | "
                         "dd ibs=1 count=10 obs=10 >&3 2>/dev/null; dd bs=64 count=1 <&3 2>/dev/null | od -An -tu1; exec 3>&-");
    std::istringstream in(out);
    std::vector<unsigned> b;
    unsigned v;
    while (in >> v) b.push_back(v);
    TpmClock c;
    // tag 0x8001, size 35, response code 0, then time, clock, resetCount, restartCount, safe.
    if (b.size() != 35 || b[0] != 0x80 || b[1] != 0x01 || b[5] != 35 || b[6] || b[7] || b[8] || b[9]) {
        MESSAGE("TPM2_ReadClock answer: " << out);
        return c;
    }
    for (int i = 18; i < 26; ++i) c.clock = c.clock << 8 | b[i];
    for (int i = 26; i < 30; ++i) c.reset_count = c.reset_count << 8 | b[i];
    c.ok = true;
    return c;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    while (!s.empty() && (s.front() == '\n' || s.front() == '\r' || s.front() == ' ')) s.erase(0, 1);
    return s;
}

}  // namespace

TEST_CASE("TPM: the guest sees a TPM 2.0 from swtpm, a second start finds the same TPM, reset starts afresh") {
    TpmVm vm("tpm-keeps");
    CHECK(has(run_vmrun(vm.env, {"check", vm.profile}).out,
              "PASS  tpm        the first start manufactures the TPM with swtpm_setup (endorsement key and platform certificates)"));
    vm.start();
    CHECK(trimmed(guest_run(vm.env, vm.name, "cat /sys/class/tpm/tpm0/tpm_version_major")) == "2");
    CHECK(vm.swtpms().size() == 1);
    struct stat st {};
    REQUIRE(::stat((vm.state() + "/tpm").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    // Manufactured as a real TPM is, once: an endorsement key with its certificate in NVRAM.
    auto manufacture = read_file(vm.paths().swtpm_log());
    CHECK(has(manufacture, "Successfully created NVRAM area 0x1c00002 for RSA 2048 EK certificate"));
    auto first = read_clock(vm);
    REQUIRE(first.ok);
    vm.stop();
    vm.require_no_swtpm_left();

    vm.start();
    auto second = read_clock(vm);
    REQUIRE(second.ok);
    CHECK(second.reset_count == first.reset_count + 1);  // the same TPM, started once more
    CHECK(second.clock > first.clock);                   // its clock went on from where it was
    vm.stop();

    // The default model under SeaBIOS is TIS; CRB (what OVMF machines have) is one key away.
    vm.use("tpm:\n  model: crb\n  reset: true\n");
    vm.start();
    CHECK(trimmed(guest_run(vm.env, vm.name, "basename $(readlink /sys/class/tpm/tpm0/device/driver)")) == "tpm_crb");
    auto fresh = read_clock(vm);
    REQUIRE(fresh.ok);
    CHECK(fresh.reset_count < second.reset_count);  // a new TPM: its starts counted from the beginning
    vm.stop();
    vm.require_no_swtpm_left();
}

TEST_CASE("TPM: swtpm killed while the guest runs is reported in the VM's log and by vmrun status") {
    TpmVm vm("tpm-killed");
    vm.start();
    auto swtpm = vm.swtpms();
    REQUIRE(swtpm.size() == 1);
    auto before = run_vmrun(vm.env, {"status", vm.name});
    CHECK(has(before.out, "tpm:     swtpm (pid " + std::to_string(swtpm[0]) + ") running"));
    ::kill(swtpm[0], SIGKILL);
    CHECK(wait_for_text(vm.state() + "/vmrun.log", "swtpm (pid " + std::to_string(swtpm[0]) + ") killed by signal 9 while the VM runs", 20s));
    auto after = run_vmrun(vm.env, {"status", vm.name, "--json"});
    INFO(after.out << after.err);
    auto doc = nlohmann::json::parse(after.out, nullptr, false);
    REQUIRE(doc.is_object());
    CHECK(doc["state"] == "running");  // QEMU's state; the TPM is told apart:
    CHECK(doc["tpm"]["running"] == false);
    CHECK(has(run_vmrun(vm.env, {"status", vm.name}).out, "has ended: the guest's TPM no longer answers"));
    vm.stop();
    vm.require_no_swtpm_left();
}

TEST_CASE("TPM: no swtpm outlives QEMU's crash, nor a SIGKILLed supervisor once vmrun restore ran") {
    TpmVm vm("tpm-faults");
    vm.start();
    pid_t supervisor = vm.supervisor();
    ::kill(vm.qemu(), SIGKILL);
    REQUIRE(vmrun::wait_process_exit(supervisor, 30s));
    vm.require_no_swtpm_left();

    vm.start();
    supervisor = vm.supervisor();
    auto swtpm = vm.swtpms();
    REQUIRE(swtpm.size() == 1);
    ::kill(supervisor, SIGKILL);
    REQUIRE(vmrun::wait_process_exit(supervisor, 10s));
    CHECK(vmrun::process_alive(swtpm[0]));  // orphaned with its QEMU
    auto restore = run_vmrun(vm.env, {"restore", vm.name});
    INFO("restore: " << restore.out << restore.err);
    CHECK(restore.exit_code == 0);
    CHECK(has(restore.err, "stopped the orphaned QEMU"));
    vm.require_no_swtpm_left();
}

TEST_CASE("TPM with run_as: swtpm runs as that user, on the socket vmrun made for it") {
    TpmVm vm("tpm-confined", "tpm: true\nrun_as: nobody\n");
    vm.start();
    CHECK(trimmed(guest_run(vm.env, vm.name, "cat /sys/class/tpm/tpm0/tpm_version_major")) == "2");
    auto swtpm = vm.swtpms();
    REQUIRE(swtpm.size() == 1);
    passwd* nobody = ::getpwnam("nobody");
    REQUIRE(nobody);
    CHECK(has(read_file("/proc/" + std::to_string(swtpm[0]) + "/status"), "Uid:\t" + std::to_string(nobody->pw_uid) + "\t"));
    struct stat st {};
    REQUIRE(::stat((vm.state() + "/tpm").c_str(), &st) == 0);
    CHECK(st.st_uid == nobody->pw_uid);
    CHECK(read_clock(vm).ok);
    vm.stop();
    vm.require_no_swtpm_left();
}

TEST_CASE("TPM with run_as: a state folder that is a link is refused, its target's mode and owners untouched") {
    TpmVm vm("tpm-link", "tpm: true\nrun_as: nobody\n");
    std::string target = vm.dir / "roots-folder";
    fs::create_directories(target);
    ::chmod(target.c_str(), 0755);
    write_file(target + "/secret", "root's\n");
    fs::create_directories(vm.state());
    fs::create_directory_symlink(target, vm.state() + "/tpm");
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK(has(r.err, vm.state() + "/tpm is a symlink or not a folder"));
    struct stat st {};
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK(st.st_uid == 0);
    CHECK((st.st_mode & 07777) == 0755);
    REQUIRE(::stat((target + "/secret").c_str(), &st) == 0);
    CHECK(st.st_uid == 0);
    vm.require_no_swtpm_left();
}
