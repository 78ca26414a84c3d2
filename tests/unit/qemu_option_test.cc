#include <doctest/doctest.h>

#include <map>

#include "plan/qemu_option.h"
#include "plan/shell_quote.h"

using namespace vmrun;

namespace {
// QEMU's QemuOpts splitting rule, to read back what we wrote: ',' separates,
// ',,' is a literal comma, the first '=' splits key from value.
std::vector<std::pair<std::string, std::string>> qemu_split(const std::string& s) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string cur;
    auto flush = [&] {
        auto eq = cur.find('=');
        if (eq == std::string::npos) out.emplace_back(cur, "");
        else out.emplace_back(cur.substr(0, eq), cur.substr(eq + 1));
        cur.clear();
    };
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == ',') {
            if (i + 1 < s.size() && s[i + 1] == ',') { cur += ','; ++i; }
            else flush();
        } else cur += s[i];
    }
    flush();
    return out;
}
}  // namespace

TEST_CASE("commas in values are doubled") {
    CHECK(escape_option_value("/vm/a,b.img") == "/vm/a,,b.img");
    CHECK(escape_option_value(",,") == ",,,,");
    CHECK(escape_option_value("plain") == "plain");
    CHECK(QemuOption().set("file", "/vm/a,b.img").str() == "file=/vm/a,,b.img");
}

TEST_CASE("a value cannot smuggle in another option") {
    std::string evil = "/vm/a,readonly=off,file=/etc/shadow,b=c.img";
    auto text = QemuOption().set("if", "none").set("file", evil).on_off("readonly", true).str();
    auto parts = qemu_split(text);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0] == std::pair<std::string, std::string>("if", "none"));
    CHECK(parts[1] == std::pair<std::string, std::string>("file", evil));
    CHECK(parts[2] == std::pair<std::string, std::string>("readonly", "on"));
}

TEST_CASE("option with a head") {
    CHECK(QemuOption("vfio-pci").set("host", "0000:01:00.0").on_off("x-vga", true).str() ==
          "vfio-pci,host=0000:01:00.0,x-vga=on");
    CHECK(QemuOption("host").on_off("kvm", false).flag("+invtsc").str() == "host,kvm=off,+invtsc");
}

TEST_CASE("shell quoting for display") {
    CHECK(shell_quote("-m") == "-m");
    CHECK(shell_quote("file=/vm/a,,b.img") == "file=/vm/a,,b.img");
    CHECK(shell_quote("console=ttyS0 quiet") == "'console=ttyS0 quiet'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("$(rm -rf /)") == "'$(rm -rf /)'");
    CHECK(shell_quote("") == "''");
    CHECK(shell_join({"a", "b c"}) == "a 'b c'");
}
