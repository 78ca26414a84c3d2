// swtpm under Ubuntu's AppArmor profile: its write rules read from the
// profile and its local override, a state folder outside them refused with
// the override that lets it, nothing said where AppArmor does not enforce it.

#include <doctest/doctest.h>

#include <filesystem>

#include "host/tpm/swtpm_apparmor.h"
#include "temp_dir.h"
#include "text_has.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {
// The rules of Ubuntu 24.04's usr.bin.swtpm that concern writing state.
const char* kUbuntuProfile =
    "#include <tunables/global>\n"
    "profile swtpm /usr/bin/swtpm {\n"
    "  #include <abstractions/base>\n"
    "  /usr/bin/swtpm rm,\n"
    "  owner /var/lib/libvirt/swtpm/** rwk,\n"
    "  owner /var/lib/swtpm/** rwk,\n"
    "  owner @{HOME}/** rwk,\n"
    "  owner /tmp/** rwk,\n"
    "  /etc/swtpm/** r,\n"
    "  #include if exists <local/usr.bin.swtpm>\n"
    "}\n";
}  // namespace

TEST_CASE("AppArmor's write rules for swtpm: globs matched as AppArmor does, variables and read-only rules left out") {
    auto rules = apparmor_writable_paths(kUbuntuProfile);
    CHECK(rules == std::vector<std::string>{"/var/lib/libvirt/swtpm/**", "/var/lib/swtpm/**", "/tmp/**"});
    CHECK(apparmor_allows(rules, "/var/lib/swtpm/win11"));
    CHECK(apparmor_allows(rules, "/tmp/vmrun-test-x/state/tpm"));
    CHECK_FALSE(apparmor_allows(rules, "/var/lib/vmrun/win11/tpm"));
    CHECK(apparmor_allows({"/var/lib/vmrun/*/tpm/**"}, "/var/lib/vmrun/win11/tpm"));
    CHECK_FALSE(apparmor_allows({"/var/lib/vmrun/*/tpm/*"}, "/var/lib/vmrun/a/b/tpm"));
}

TEST_CASE("swtpm's state folder outside the enforced profile is refused with the local override; allowed by it, or not enforced, it is not") {
    TempDir root;
    auto apparmor = root.path / "etc/apparmor.d";
    fs::create_directories(apparmor / "local");
    fs::create_directories(root.path / "sys/kernel/security/apparmor");
    write_file(apparmor / "usr.bin.swtpm", kUbuntuProfile);
    const std::string state = "/var/lib/vmrun/win11/tpm";

    write_file(root.path / "sys/kernel/security/apparmor/profiles", "swtpm (complain)\nman_groff (enforce)\n");
    CHECK_FALSE(swtpm_apparmor_problem(root.path, state));

    write_file(root.path / "sys/kernel/security/apparmor/profiles", "swtpm (enforce)\nman_groff (enforce)\n");
    auto refused = swtpm_apparmor_problem(root.path, state);
    REQUIRE(refused);
    CHECK(has(refused->what, "AppArmor confines swtpm"));
    CHECK(has(refused->what, "it may not write its state in /var/lib/vmrun/win11/tpm"));
    CHECK(has(refused->fix, "'/var/lib/vmrun/win11/tpm/** rwk,' to /etc/apparmor.d/local/usr.bin.swtpm"));

    write_file(apparmor / "local/usr.bin.swtpm", "/var/lib/vmrun/win11/tpm/** rwk,\n");
    CHECK_FALSE(swtpm_apparmor_problem(root.path, state));
}
