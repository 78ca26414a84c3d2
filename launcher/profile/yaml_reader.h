#pragma once
// Typed, position-aware reads from yaml-cpp nodes. Every failed read adds a
// diagnostic at the offending node and returns nullopt, so the loader keeps
// going and reports every problem in one pass.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "profile/diagnostics.h"

namespace vmrun {

SourceLoc loc_of(const YAML::Node& node);

// What a profile's YAML may not be, found from the parser's events before any
// node is built: an alias (*name: yaml-cpp shares the node, and reading it
// expands it, exponentially when aliases nest), nesting deeper than any profile
// needs, or a second document. Returns the first such problem; nullopt when
// the text has none (syntax errors are left to the loader).
struct YamlShapeProblem {
    SourceLoc loc;
    std::string message;
};
std::optional<YamlShapeProblem> check_yaml_shape(const std::string& text);

// Reads one YAML mapping key by key and, at the end, reports the keys nobody
// asked for, with a "did you mean" among the ones that exist.
class MapReader {
public:
    // `what` names the mapping in messages: "the profile", "'firmware'", "a disk".
    MapReader(const YAML::Node& node, std::string what, Diagnostics& diags);

    // The value of `key`, or nullopt when absent. A key present with no value
    // (`memory:`) is reported and treated as absent.
    std::optional<YAML::Node> get(const std::string& key);
    SourceLoc key_loc(const std::string& key) const;
    // Written in the mapping, with or without a value.
    bool has(const std::string& key) const;
    bool ok() const { return is_map_; }
    // Reports unknown keys; call once after every get().
    void finish();

private:
    YAML::Node node_;
    std::string what_;
    Diagnostics& diags_;
    bool is_map_ = false;
    std::vector<std::string> known_;
    std::vector<std::pair<std::string, SourceLoc>> present_;
    std::unordered_map<std::string, int> first_line_;  // key -> the line it first appears on
};

std::string describe_kind(const YAML::Node& node);

// Told of every key any MapReader looks for, with the mapping's `what`: how
// a test learns every key the loader knows (and checks the reference has
// each) without a second list. Unset outside such tests.
using KeyObserver = void (*)(const std::string& what, const std::string& key);
void set_key_observer(KeyObserver observer);

std::optional<std::string> read_string(const YAML::Node& n, const std::string& key, Diagnostics& d);
std::optional<bool> read_bool(const YAML::Node& n, const std::string& key, Diagnostics& d);
std::optional<int> read_int(const YAML::Node& n, const std::string& key, int min, int max, Diagnostics& d);
// One of `choices`, reported with a suggestion when misspelt.
std::optional<std::string> read_choice(const YAML::Node& n, const std::string& key,
                                       const std::vector<std::string>& choices, Diagnostics& d);
std::optional<std::vector<std::string>> read_string_list(const YAML::Node& n, const std::string& key, Diagnostics& d);

}  // namespace vmrun
