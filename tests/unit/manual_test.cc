// The man pages say what the binary and the loader do: vmrun(1) has every
// command of the table with every option it takes, and vmrun-profile(5), built
// from profiles/README.md, names every key the profile loader reads (learned
// from the loader itself while it reads a profile that opens every mapping).

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "every_mapping.h"
#include "text_has.h"
#include "cli/command.h"
#include "cli/manual.h"
#include "cli/option_parser.h"
#include "profile/profile_loader.h"
#include "profile/yaml_reader.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::cli;

namespace {


// The text of one command's section: from its .SS line to the next.
std::string section_of(const std::string& page, const std::string& command) {
    auto at = page.find(".SS " + roff_text(command) + "\n");
    if (at == std::string::npos) return "";
    auto end = page.find("\n.S", at + 1);
    return page.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::map<std::string, std::set<std::string>> keys_seen;

void remember_key(const std::string& what, const std::string& key) { keys_seen[what].insert(key); }

// The reference writes a key as code (`key`) or in a YAML example ("  key: value").
bool documents(const std::string& page, const std::string& key) {
    if (has(page, "\\fB" + roff_text(key) + "\\fR")) return true;
    for (const auto& line : testing::lines_of(page)) {
        auto text = line.substr(std::min(line.size(), line.find_first_not_of(' ')));
        if (text.rfind(roff_text(key) + ":", 0) == 0) return true;
    }
    return false;
}


}  // namespace

TEST_CASE("vmrun(1) has every command of the table, each with its usage and every option it takes") {
    auto page = vmrun_man_page("9.9.9");
    CHECK(page.rfind(".TH VMRUN 1 \"\" \"vmrun 9.9.9\"", 0) == 0);
    for (const auto& c : commands()) {
        auto section = section_of(page, c.name);
        REQUIRE_MESSAGE(!section.empty(), "no section for " << c.name);
        CHECK_MESSAGE(has(section, roff_text(c.summary)), c.name);
        for (const auto* o : command_options(c))
            if (o->name != "help") CHECK_MESSAGE(has(section, "\\fB\\-\\-" + roff_text(o->name) + "\\fR"), c.name << " --" << o->name);
    }
    CHECK(has(page, ".SH EXIT STATUS"));
    CHECK(has(page, "vmrun\\-profile\\fR(5)"));
}

TEST_CASE("vmrun-profile(5) names every key the profile loader reads") {
    set_key_observer(remember_key);
    load_profile(testing::kEveryMapping, "every.yaml", "/");
    set_key_observer(nullptr);
    // Sanity: the profile above opened the mappings it means to.
    for (const char* what : {"the profile", "'cpu'", "'pin'", "'smbios'", "'type17'", "a passthrough device", "'display'", "'tpm'"})
        REQUIRE_MESSAGE(keys_seen.count(what), what);

    auto page = testing::read_file(VMRUN_SHARE_DIR "/vmrun-profile.5");
    REQUIRE(has(page, ".TH VMRUN-PROFILE 5"));
    size_t keys = 0;
    for (const auto& mapping : keys_seen)  // not a structured binding: clang 14 cannot capture one in CHECK_MESSAGE
        for (const auto& key : mapping.second) {
            ++keys;
            CHECK_MESSAGE(documents(page, key), "key '" << key << "' of " << mapping.first << " is not in vmrun-profile(5)");
        }
    CHECK(keys > 80);
}
