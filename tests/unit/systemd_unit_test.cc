#include <doctest/doctest.h>

#include "profile_fixture.h"
#include "plan/systemd_unit.h"

using vmrun::testing::run_pipeline;

namespace {
bool has_line(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; }
}  // namespace

TEST_CASE("systemd unit: notify service, foreground supervisor, ACPI stop with a longer kill timeout") {
    auto p = run_pipeline("name: gamer\nmemory: 1G\nshutdown_timeout: 120\nnetwork:\n  - {type: tap, bridge: br0}\n");
    REQUIRE(p.errors().empty());
    auto unit = vmrun::systemd_unit(p.loaded.profile, "/usr/bin/vmrun", "/etc/vmrun/gamer.yaml");
    CHECK(has_line(unit, "Type=notify"));
    CHECK(has_line(unit, "ExecStart=/usr/bin/vmrun start --foreground /etc/vmrun/gamer.yaml"));
    CHECK(has_line(unit, "ExecStop=/usr/bin/vmrun stop gamer --timeout 120"));
    // After any end, a killed supervisor's included, what its journal holds goes back.
    CHECK(has_line(unit, "ExecStopPost=-/usr/bin/vmrun restore gamer"));
    CHECK(has_line(unit, "TimeoutStopSec=150"));
    CHECK(has_line(unit, "KillMode=mixed"));
    CHECK(has_line(unit, "After=network-online.target"));
    CHECK(has_line(unit, "WantedBy=multi-user.target"));
    auto user = run_pipeline("name: x\nmemory: 1G\nnetwork:\n  - {type: user}\n");
    auto plain = vmrun::systemd_unit(user.loaded.profile, "/usr/bin/vmrun", "/p with space.yaml");
    CHECK(has_line(plain, "After=network.target"));
    CHECK(has_line(plain, "ExecStart=/usr/bin/vmrun start --foreground \"/p with space.yaml\""));
}

TEST_CASE("vmrun@.service: the profile named by the instance, SIGTERM as the ACPI request, restarts only when QEMU failed") {
    auto unit = vmrun::systemd_template_unit("/usr/bin/vmrun", "/etc/vmrun");
    CHECK(has_line(unit, "Type=notify"));
    CHECK(has_line(unit, "ExecStart=/usr/bin/vmrun start --foreground /etc/vmrun/%i.yaml"));
    CHECK(has_line(unit, "ConditionPathExists=/etc/vmrun/%i.yaml"));
    // No ExecStop: systemd's SIGTERM reaches the supervisor alone, which applies the profile's own timeout.
    CHECK(unit.find("ExecStop=") == std::string::npos);
    CHECK(has_line(unit, "ExecStopPost=-/usr/bin/vmrun restore %i"));
    CHECK(has_line(unit, "KillMode=mixed"));
    // Longer than the longest shutdown_timeout a profile may set (3600 s), plus the escalation.
    CHECK(has_line(unit, "TimeoutStopSec=3660"));
    CHECK(has_line(unit, "Restart=on-failure"));
    CHECK(has_line(unit, "RestartPreventExitStatus=1 64 65"));
    CHECK(has_line(unit, "Documentation=man:vmrun(1) man:vmrun-profile(5)"));
    CHECK(has_line(unit, "WantedBy=multi-user.target"));
}

TEST_CASE("systemd unit: paths with specifier, variable and quote characters stay themselves; control characters are refused") {
    vmrun::Profile p;
    p.name = "odd";
    auto unit = vmrun::systemd_unit(p, "/opt/vm run/vmrun", "/srv/100%/$HOME/\"q\"\\b.yaml");
    // systemd reads %% as %, $$ as $, and unescapes \" and \\ inside double quotes.
    CHECK(has_line(unit, "ExecStart=\"/opt/vm run/vmrun\" start --foreground \"/srv/100%%/$$HOME/\\\"q\\\"\\\\b.yaml\""));
    CHECK(has_line(unit, "ExecStop=\"/opt/vm run/vmrun\" stop odd --timeout " + std::to_string(p.shutdown_timeout)));
    CHECK(vmrun::unit_path_problem("/srv/vms/plain.yaml").empty());
    auto newline = vmrun::unit_path_problem("/srv/x\nExecStartPre=/bin/evil.yaml");
    CHECK(newline.find("/srv/x\\nExecStartPre=/bin/evil.yaml has a control character") == 0);
    CHECK(newline.find("Rename it") != std::string::npos);
    CHECK_FALSE(vmrun::unit_path_problem("/srv/tab\there.yaml").empty());
}
