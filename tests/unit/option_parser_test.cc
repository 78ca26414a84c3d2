// The one option parser against the real command table: what each command
// accepts, and the exact message for what it refuses.

#include <doctest/doctest.h>

#include <set>

#include "cli/command.h"
#include "cli/option_parser.h"

using namespace vmrun::cli;

namespace {

ParseResult parse(const std::string& command, std::vector<std::string> args) {
    const Command* c = find_command(command);
    REQUIRE_MESSAGE(c, command);
    return OptionParser::parse(*c, args);
}

std::string error_of(const ParseResult& r) {
    auto* e = std::get_if<UsageError>(&r);
    return e ? e->message : "(no error)";
}

ParsedArgs ok(const ParseResult& r) {
    INFO(error_of(r));
    REQUIRE(std::holds_alternative<ParsedArgs>(r));
    return std::get<ParsedArgs>(r);
}

}  // namespace

TEST_CASE("every command row is complete and its help lists every option") {
    std::set<std::string> names;
    for (const auto& c : commands()) {
        CAPTURE(c.name);
        CHECK(names.insert(c.name).second);
        CHECK(bool(c.run));
        CHECK_FALSE(c.summary.empty());
        auto help = help_text(c);
        CHECK(help.rfind("usage: vmrun " + c.name, 0) == 0);
        for (const auto& o : c.options) CHECK(help.find("--" + o.name) != std::string::npos);
        if (c.vm_target) CHECK(help.find("--qmp PATH") != std::string::npos);
    }
}

TEST_CASE("stop: --timeout takes seconds, and 'abc' is refused instead of read as 0") {
    CHECK(ok(parse("stop", {"demo", "--timeout", "2.5"})).seconds_or("timeout", 90) == doctest::Approx(2.5));
    CHECK(ok(parse("stop", {"demo", "--timeout=7"})).seconds_or("timeout", 90) == doctest::Approx(7));
    CHECK(ok(parse("stop", {"demo"})).seconds_or("timeout", 90) == doctest::Approx(90));
    CHECK(error_of(parse("stop", {"demo", "--timeout", "abc"})) ==
          "vmrun stop: --timeout takes a number of seconds, like 30 or 0.5; got 'abc'");
    for (std::string bad : {"-1", "0x10", "inf", "nan", "1e3", ""})
        CHECK_MESSAGE(std::holds_alternative<UsageError>(parse("stop", {"demo", "--timeout=" + bad})), bad);
    CHECK(error_of(parse("stop", {"demo", "--timeout"})) == "vmrun stop: --timeout needs a value (SECONDS)");
}

TEST_CASE("extra and missing arguments are named") {
    CHECK(error_of(parse("restore", {"x", "extra"})) == "vmrun restore: unexpected argument 'extra'");
    CHECK(error_of(parse("restore", {})) == "vmrun restore: missing NAME");
    CHECK(error_of(parse("validate", {"a.yaml", "b.yaml"})) == "vmrun validate: unexpected argument 'b.yaml'");
    CHECK(error_of(parse("list", {"x"})) == "vmrun list: unexpected argument 'x'");
    CHECK(ok(parse("check", {})).positional("PROFILE").empty());
    CHECK(ok(parse("check", {"p.yaml"})).positional("PROFILE") == "p.yaml");
}

TEST_CASE("unknown options get a suggestion from the command's own options") {
    CHECK(error_of(parse("stop", {"demo", "--tmeout", "3"})) ==
          "vmrun stop: unknown option '--tmeout' (did you mean '--timeout'?)");
    CHECK(error_of(parse("start", {"p.yaml", "--detatch"})) ==
          "vmrun start: unknown option '--detatch' (did you mean '--detach'?)");
    // No abbreviations: --for is not --force.
    CHECK(error_of(parse("stop", {"demo", "--for"})).rfind("vmrun stop: unknown option '--for'", 0) == 0);
    CHECK(error_of(parse("list", {"--zzzzzz"})) == "vmrun list: unknown option '--zzzzzz'");
}

TEST_CASE("a malformed option is named in vmrun's words; one holding Boost's placeholder does not hang") {
    // fuzz_options: Boost's what() replaces %canonical_option% with the
    // option's name until none is left; a typed name holding it never ran out.
    CHECK(error_of(parse("start", {"p.yaml", "--x%canonical_option%="})) ==
          "vmrun start: --x%canonical_option%= needs a value after '='");
    CHECK(error_of(parse("stop", {"demo", "--timeout="})) == "vmrun stop: --timeout= needs a value after '='");
    CHECK(error_of(parse("stop", {"demo", "--force=yes"})) == "vmrun stop: --force takes no value");
}

TEST_CASE("exclusive options, repeated options and help") {
    CHECK(error_of(parse("hotplug", {"demo", "--disk", "a.img", "--nic", "user"})) ==
          "vmrun hotplug: --disk and --nic exclude each other; give one");
    CHECK(error_of(parse("start", {"p.yaml", "-d", "--foreground"})) ==
          "vmrun start: --detach and --foreground exclude each other; give one");
    CHECK(error_of(parse("hotplug", {"demo", "--id", "a", "--id", "b"})) == "vmrun hotplug: --id was given twice");
    CHECK(std::holds_alternative<HelpRequested>(parse("hotplug", {"demo", "--help"})));
    CHECK(std::holds_alternative<HelpRequested>(parse("stop", {"-h"})));
    auto a = ok(parse("start", {"-d", "p.yaml", "--force-bind"}));
    CHECK(a.flag("detach"));
    CHECK(a.flag("force-bind"));
    CHECK(a.value("force-bind") == "");
    CHECK_FALSE(a.flag("foreground"));
    // A value only with '=': the word after a bare --force-bind is still the profile.
    auto b = ok(parse("start", {"--force-bind", "p.yaml"}));
    CHECK(b.positional("PROFILE") == "p.yaml");
    CHECK(b.value("force-bind") == "");
    auto c = ok(parse("start", {"--force-bind=gpu-holders,disk", "p.yaml"}));
    CHECK(c.value("force-bind") == "gpu-holders,disk");
}

TEST_CASE("a VM target is NAME, or --qmp PATH in its place") {
    auto by_name = ok(parse("qmp", {"demo", "query-pci"}));
    CHECK(by_name.positional("NAME") == "demo");
    CHECK(by_name.positional("COMMAND") == "query-pci");
    auto by_socket = ok(parse("qmp", {"--qmp", "/tmp/q.sock", "query-pci", "{}"}));
    CHECK(by_socket.value("qmp") == "/tmp/q.sock");
    CHECK(by_socket.positional("COMMAND") == "query-pci");
    CHECK(by_socket.positional("JSON-ARGUMENTS") == "{}");
    CHECK(error_of(parse("status", {})) == "vmrun status: which VM? give its NAME (see 'vmrun list') or --qmp PATH");
    CHECK(error_of(parse("status", {"a", "b"})) == "vmrun status: unexpected argument 'b'");
    CHECK(error_of(parse("unplug", {"demo"})) == "vmrun unplug: missing ID");
    // Commands that need the VM's folders take no --qmp.
    CHECK(error_of(parse("stop", {"--qmp", "/x"})) == "vmrun stop: unknown option '--qmp'");
}

TEST_CASE("usage lines come from the table") {
    CHECK(usage_text(*find_command("stop")) == "usage: vmrun stop NAME [--force] [--timeout SECONDS]\n");
    CHECK(usage_text(*find_command("start")) ==
          "usage: vmrun start PROFILE [--detach | --foreground] [--force-bind[=console|disk|default-route|gpu-holders]]\n"
          "       vmrun PROFILE [--detach | --foreground] [--force-bind[=KINDS]]\n");
}
