#pragma once
// The profile's keys, declared once: each mapping of a profile with its keys,
// their type, default and meaning. The loader's unknown-key suggestions come
// from here, profiles/README.md's key tables (and so vmrun-profile(5)) are
// rendered from here, and a test holds the loader and this table to the same
// keys both ways. Adding a key: its field in profile.h, a row here, its argv
// in plan/qemu_argv.cc. A top-level true/false, number or fixed-choice key
// is read by its row (`flag_key`, `int_key`, `choice_key` bind it to its
// field); a key with a shape of its own gets its reading in profile_loader.cc.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace YAML {
class Node;
}

namespace vmrun {

struct Profile;
class Diagnostics;

// Reads a top-level key's value into the profile, reporting a bad value at its position.
using KeyReader = std::function<void(const YAML::Node& value, const std::string& key, Profile& into, Diagnostics& d)>;

struct ProfileKey {
    std::string key;            // "sockets"; a row for keys documented together: "pf, vf"
    std::string type;           // for a person, markdown: "`kvm` | `tcg`", "bool", "1–64"
    std::string default_value;  // markdown; "—" when none
    std::string meaning;        // markdown
    // The values the loader accepts, when it is a fixed list: the type column
    // shows them where it says "{choices}", and completion offers them.
    std::vector<std::string> choices = {};
    // For a top-level key the table reads itself: the loader hands it the value.
    KeyReader read = {};
};

struct ProfileSection {
    std::string id;     // its reference table's name: "top", "cpu.pin", "passthrough.vf"
    std::string what;   // how the loader's messages name the mapping: "the profile", "'pin'", "a disk"
    bool default_column = true;  // the reference's table has a default column
    std::vector<ProfileKey> keys;
};

const std::vector<ProfileSection>& profile_schema();

// The keys a mapping may hold, by the loader's name for it (several sections
// may describe one mapping); empty for a mapping the table does not know.
std::vector<std::string> keys_of_mapping(std::string_view what);

// The fixed values of `key` in section `section_id` — what the loader accepts.
// Throws std::logic_error for a key the table gives no choices: a loader
// asking for one is a mistake every test of that key shows.
const std::vector<std::string>& key_choices(std::string_view section_id, std::string_view key);

// A row's type for a person: "{choices}" replaced by "`a` | `b`".
std::string type_shown(const ProfileKey& row);

// A section's keys as the reference's markdown table, header included.
std::string render_key_table(const ProfileSection& section);

// `text` (profiles/README.md) with every generated table — the lines between
// "<!-- keys ID -->" and "<!-- /keys -->" — rendered afresh from the schema.
// `problems` gets a line for a marker naming no section, a section without a
// marker, and an unclosed marker.
std::string with_key_tables(const std::string& text, std::vector<std::string>& problems);

}  // namespace vmrun
