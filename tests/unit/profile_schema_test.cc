// The profile's keys are declared once (profile/profile_schema.cc): the loader
// reads exactly the keys the schema declares, mapping by mapping, its
// unknown-key suggestions come from the schema, and profiles/README.md's key
// tables (and so vmrun-profile(5)) are the schema's rendering.

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "every_mapping.h"
#include "profile/profile_loader.h"
#include "profile/profile_schema.h"
#include "profile/yaml_reader.h"
#include "temp_dir.h"
#include "text_has.h"

using namespace vmrun;

namespace {

std::map<std::string, std::set<std::string>> asked;
void remember(const std::string& what, const std::string& key) { asked[what].insert(key); }

}  // namespace

TEST_CASE("the loader reads exactly the keys the schema declares, mapping by mapping") {
    asked.clear();
    set_key_observer(remember);
    load_profile(testing::kEveryMapping, "every.yaml", "/");
    set_key_observer(nullptr);

    size_t keys = 0;
    for (const auto& mapping : asked) {
        auto declared = keys_of_mapping(mapping.first);
        CHECK_MESSAGE(!declared.empty(), "the loader reads " << mapping.first << ", which the schema does not declare");
        std::set<std::string> in_schema(declared.begin(), declared.end());
        for (const auto& key : mapping.second) {
            ++keys;
            CHECK_MESSAGE(in_schema.count(key), "the loader reads '" << key << "' of " << mapping.first << "; the schema has no row for it");
        }
    }
    for (const auto& section : profile_schema()) {
        REQUIRE_MESSAGE(asked.count(section.what), "no profile of every_mapping.h opens " << section.what);
        for (const auto& key : keys_of_mapping(section.what))
            CHECK_MESSAGE(asked[section.what].count(key), "the schema declares '" << key << "' of " << section.what << ", which the loader never reads");
    }
    CHECK(keys > 100);
}

TEST_CASE("profiles/README.md's key tables are the schema's, and every section has one") {
    auto path = std::string(VMRUN_SOURCE_DIR) + "/profiles/README.md";
    auto text = testing::read_file(path);
    REQUIRE(!text.empty());
    std::vector<std::string> problems;
    auto rendered = with_key_tables(text, problems);
    for (const auto& p : problems) FAIL_CHECK(p);
    CHECK_MESSAGE(rendered == text, "a key table differs from profile_schema.cc; run build/launcher/vmrun_generate reference profiles/README.md");
}

TEST_CASE("a table is rendered whole between its markers; a stale one is replaced and a wrong marker named") {
    const auto& cpu_pin = profile_schema()[3];
    REQUIRE(cpu_pin.id == "cpu.pin");
    std::vector<std::string> problems;
    auto out = with_key_tables("intro\n<!-- keys cpu.pin -->\n| stale |\n<!-- /keys -->\nafter\n<!-- keys nosuch -->\n<!-- /keys -->\n", problems);
    CHECK(has(out, "<!-- keys cpu.pin -->\n| key | type | default | meaning |\n|---|---|---|---|\n| `vcpus` |"));
    CHECK_FALSE(has(out, "stale"));
    CHECK(has(out, "\n<!-- /keys -->\nafter\n"));
    CHECK(std::count_if(problems.begin(), problems.end(), [](auto& p) { return has(p, "no section 'nosuch'"); }) == 1);
    CHECK(std::count_if(problems.begin(), problems.end(), [](auto& p) { return has(p, "no table for section 'top'"); }) == 1);
    problems.clear();
    with_key_tables("<!-- keys boot -->\n| x |\n", problems);
    CHECK(std::count_if(problems.begin(), problems.end(), [](auto& p) { return has(p, "has no closing"); }) == 1);
}

TEST_CASE("a misspelt key is answered with the schema's nearest key") {
    auto loaded = load_profile("name: x\nmemory: 1G\ncpu: {hide_kmv: true}\naudio: {backend: none, modle: ich9}\n", "x.yaml", "/");
    std::string all;
    for (const auto& d : loaded.diagnostics.all()) all += d.text() + "\n";
    CHECK(has(all, "unknown key 'hide_kmv' in 'cpu'"));
    CHECK(has(all, "'hide_kvm'"));
    CHECK(has(all, "unknown key 'modle' in 'audio'"));
    CHECK(has(all, "'model'"));
}

TEST_CASE("rows documented together, the SR-IOV table without defaults, and pipes escaped for markdown") {
    auto vf = keys_of_mapping("a passthrough device");
    CHECK(std::count(vf.begin(), vf.end(), "pf") == 2);  // its own row in the VF table, and "pf, vf" in the main one
    for (const auto& s : profile_schema()) {
        if (s.id != "passthrough.vf" && s.id != "top") continue;
        auto table = render_key_table(s);
        if (s.id == "passthrough.vf") CHECK(table.rfind("| key | type | meaning |\n", 0) == 0);
        if (s.id == "top") CHECK(has(table, "| `accelerator` | `kvm` \\| `tcg` | `kvm` |"));
    }
}

namespace {

// A profile setting key `key` of section `section` to `value` (the rest what
// the mapping needs), or "" for a section this test does not know.
std::string profile_setting(const std::string& section, const std::string& key, const std::string& value) {
    std::string base = "name: x\nmemory: 1G\n";
    std::string kv = key + ": " + value;
    if (section == "top") return base + kv + "\n";
    if (section == "firmware" || section == "tpm" || section == "looking_glass" || section == "hugepages" || section == "root_ports")
        return base + section + ": {" + kv + "}\n";
    if (section == "audio") return base + "audio: {" + (key == "backend" ? kv : "backend: none, " + kv) + "}\n";
    if (section == "display") return base + "display: {" + (key == "type" ? kv : "type: vnc, " + kv) + "}\n";
    if (section == "disks") return base + "disks: [{path: /x.img, " + kv + "}]\n";
    if (section == "network") return base + "network: [{" + (key == "type" ? kv : "type: user, " + kv) + "}]\n";
    return "";
}

std::string messages(const std::string& yaml) {
    std::string all;
    auto loaded = load_profile(yaml, "x.yaml", "/");
    for (const auto& d : loaded.diagnostics.all()) all += d.text() + "\n";
    return all;
}

}  // namespace

TEST_CASE("a key's choices are what the loader accepts: each loads, anything else is refused naming them all") {
    size_t keys = 0;
    for (const auto& section : profile_schema())
        for (const auto& row : section.keys) {
            if (row.choices.empty()) continue;
            ++keys;
            CAPTURE(section.id);
            CAPTURE(row.key);
            REQUIRE_MESSAGE(!profile_setting(section.id, row.key, "x").empty(), "no profile for a key of " << section.id);
            CHECK(&key_choices(section.id, row.key) == &row.choices);
            for (const auto& choice : row.choices) {
                auto said = messages(profile_setting(section.id, row.key, choice));
                CHECK_MESSAGE(!has(said, "'" + row.key + "' must be"), said);
                CHECK_MESSAGE(!has(said, "is a huge page size"), said);
            }
            auto refused = messages(profile_setting(section.id, row.key, "zz-none-of-them"));
            REQUIRE_MESSAGE(has(refused, "zz-none-of-them"), refused);
            for (const auto& choice : row.choices) CHECK_MESSAGE(has(refused, choice), refused);
            CHECK(has(type_shown(row), "`" + row.choices.front() + "`"));
        }
    CHECK(keys >= 20);
    CHECK_THROWS_AS(key_choices("top", "memory"), std::logic_error);
}
