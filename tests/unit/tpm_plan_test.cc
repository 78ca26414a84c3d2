// The TPM's plan, with no swtpm running: the model each firmware gets, the
// swtpm command (state folder, control socket, log, --terminate, run_as) and
// QEMU's side of it, and the refusals that need no host.

#include <doctest/doctest.h>

#include <algorithm>

#include "plan/qemu_argv.h"
#include "plan/swtpm_argv.h"
#include "profile_fixture.h"

using namespace vmrun;
using vmrun::testing::run_pipeline;

namespace {

bool contains(const std::vector<std::string>& argv, const std::vector<std::string>& run) {
    return std::search(argv.begin(), argv.end(), run.begin(), run.end()) != argv.end();
}

}  // namespace

TEST_CASE("tpm: CRB with OVMF, TIS with SeaBIOS, unless the profile says; none without the key") {
    auto ovmf = run_pipeline("name: t\nmemory: 1G\nfirmware: ovmf\ntpm: true\n");
    REQUIRE(ovmf.errors().empty());
    CHECK(ovmf.loaded.profile.tpm->model == TpmModel::crb);
    auto seabios = run_pipeline("name: t\nmemory: 1G\ntpm: true\n");
    REQUIRE(seabios.errors().empty());
    CHECK(seabios.loaded.profile.tpm->model == TpmModel::tis);
    auto chosen = run_pipeline("name: t\nmemory: 1G\ntpm:\n  model: crb\n  reset: true\n");
    REQUIRE(chosen.errors().empty());
    CHECK(chosen.loaded.profile.tpm->model == TpmModel::crb);
    CHECK(chosen.loaded.profile.tpm->reset);
    auto off = run_pipeline("name: t\nmemory: 1G\ntpm: false\n");
    REQUIRE(off.errors().empty());
    CHECK_FALSE(off.loaded.profile.tpm);
    CHECK(build_swtpm_argv(*off.planned.plan).empty());
}

TEST_CASE("tpm: the swtpm command and QEMU's chardev, tpmdev and device meet at one socket") {
    auto p = run_pipeline("name: win11\nmemory: 1G\nfirmware: ovmf\ntpm: true\nrun_as: nobody\n");
    REQUIRE(p.errors().empty());
    const auto& plan = *p.planned.plan;
    auto swtpm = build_swtpm_argv(plan);
    CHECK(swtpm == std::vector<std::string>{
                       "swtpm", "socket", "--tpm2", "--tpmstate", "dir=/var/lib/vmrun/win11/tpm,mode=0600", "--ctrl",
                       "type=unixio,path=/run/vmrun/win11/swtpm.sock,mode=0600", "--log",
                       "file=/var/lib/vmrun/win11/swtpm.log,level=1", "--terminate", "--runas", "nobody"});
    // At start swtpm gets fds and works in its state folder: run_as need not reach vmrun's folders.
    CHECK(build_swtpm_argv(plan, SwtpmFds{3, 4}) ==
          std::vector<std::string>{"swtpm", "socket", "--tpm2", "--tpmstate", "dir=.,mode=0600", "--ctrl", "type=unixio,fd=3",
                                   "--log", "fd=4,level=1", "--terminate", "--runas", "nobody"});
    auto qemu = build_qemu_argv(plan);
    CHECK(contains(qemu, {"-chardev", "socket,id=tpm-chardev,path=/run/vmrun/win11/swtpm.sock"}));
    CHECK(contains(qemu, {"-tpmdev", "emulator,id=tpm0,chardev=tpm-chardev"}));
    CHECK(contains(qemu, {"-device", "tpm-crb,tpmdev=tpm0"}));
    CHECK(!swtpm_path_problem(plan));
}

TEST_CASE("tpm: a folder with ',' in its path cannot be given to swtpm, and is refused") {
    auto p = run_pipeline("name: t\nmemory: 1G\ntpm: true\n");
    REQUIRE(p.errors().empty());
    auto plan = *p.planned.plan;
    plan.facts.paths.state_dir = "/srv/vm,s/t";
    auto failure = swtpm_path_problem(plan);
    REQUIRE(failure);
    CHECK(failure->what == "swtpm cannot take a path with ',' in it: /srv/vm,s/t/tpm");
    CHECK(failure->where == "/srv/vm,s/t/tpm");
    CHECK(failure->fix == "set VMRUN_STATE_DIR and VMRUN_RUNTIME_DIR to folders without ','");
}
