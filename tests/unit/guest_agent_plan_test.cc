// guest_agent: true without a host: the virtio-serial controller, the named
// port and the socket QEMU serves it on, among the sockets vmrun owns.

#include <doctest/doctest.h>

#include <algorithm>

#include "plan/qemu_argv.h"
#include "profile_fixture.h"
#include "text_has.h"

using namespace vmrun;
using vmrun::testing::run_pipeline;

TEST_CASE("guest agent: a virtserialport named org.qemu.guest_agent.0 on a socket QEMU serves") {
    auto p = run_pipeline("name: t\nmemory: 1G\nguest_agent: true\n");
    REQUIRE(p.errors().empty());
    const auto& plan = *p.planned.plan;
    auto argv = build_qemu_argv(plan);
    CHECK(has_arg(argv, "socket,id=vmrun-agent,path=/run/vmrun/t/agent.sock,server=on,wait=off"));
    CHECK(has_arg(argv, "virtserialport,bus=vmrun-serial.0,chardev=vmrun-agent,name=org.qemu.guest_agent.0,id=vmrun-agent-port"));
    CHECK(std::any_of(argv.begin(), argv.end(), [](const std::string& a) { return a.rfind("virtio-serial-pci,id=vmrun-serial,bus=pcie.0,addr=", 0) == 0; }));
    auto sockets = plan.sockets();
    CHECK(std::find(sockets.begin(), sockets.end(), "/run/vmrun/t/agent.sock") != sockets.end());

    auto none = run_pipeline("name: t\nmemory: 1G\n");
    auto plain = build_qemu_argv(*none.planned.plan);
    CHECK(std::none_of(plain.begin(), plain.end(), [](const std::string& a) { return has(a, "guest_agent"); }));
    auto bad = run_pipeline("name: t\nmemory: 1G\nguest_agent: yes please\n").errors();
    REQUIRE(bad.size() == 1);
    CHECK(bad[0] == "bad.yaml:3:14: 'guest_agent' must be true or false, got 'yes please'");
}
