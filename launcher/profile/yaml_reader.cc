#include "profile/yaml_reader.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>

#include <sstream>

#include <algorithm>
#include <charconv>

#include "base/did_you_mean.h"
#include "profile/profile_schema.h"

namespace vmrun {

SourceLoc loc_of(const YAML::Node& node) {
    auto m = node.Mark();
    if (m.line < 0) return {};
    return {m.line + 1, m.column + 1};
}

std::string describe_kind(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
        default: return "nothing";
    }
}

MapReader::MapReader(const YAML::Node& node, std::string what, Diagnostics& diags)
    : node_(node), what_(std::move(what)), diags_(diags) {
    is_map_ = node.IsMap();
    if (!is_map_) {
        diags_.error(loc_of(node), what_ + " must be a mapping of keys to values, got " + describe_kind(node));
        return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
        SourceLoc at = loc_of(it->first);
        // An index, not a scan: a generated mapping of 40,000 keys stays linear.
        if (auto [first, fresh] = first_line_.emplace(key, at.line); !fresh)
            diags_.error(at, "key '" + key + "' appears twice in " + what_ + " (first at line " +
                                 std::to_string(first->second) + "); keep one");
        else
            present_.emplace_back(key, at);
    }
}

namespace {
KeyObserver key_observer = nullptr;
}  // namespace

void set_key_observer(KeyObserver observer) { key_observer = observer; }

std::optional<YAML::Node> MapReader::get(const std::string& key) {
    known_.push_back(key);
    if (key_observer) key_observer(what_, key);
    if (!is_map_) return std::nullopt;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        if (!it->first.IsScalar() || it->first.Scalar() != key) continue;
        if (it->second.IsNull()) {
            diags_.error(loc_of(it->first), "'" + key + "' has no value; give one or remove the key");
            return std::nullopt;
        }
        return it->second;
    }
    return std::nullopt;
}

SourceLoc MapReader::key_loc(const std::string& key) const {
    for (auto& [k, at] : present_)
        if (k == key) return at;
    return loc_of(node_);
}

bool MapReader::has(const std::string& key) const {
    for (auto& [k, at] : present_)
        if (k == key) return true;
    return false;
}

void MapReader::finish() {
    std::vector<std::string> documented;
    for (auto& [key, at] : present_) {
        if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
        // Suggest from the schema's keys: what the reference documents for this mapping.
        if (documented.empty()) documented = keys_of_mapping(what_);
        diags_.error(at, "unknown key '" + key + "' in " + what_, suggestion(key, documented.empty() ? known_ : documented));
    }
}

std::optional<std::string> read_string(const YAML::Node& n, const std::string& key, Diagnostics& d) {
    if (!n.IsScalar()) {
        d.error(loc_of(n), "'" + key + "' must be a text value, got " + describe_kind(n));
        return std::nullopt;
    }
    return n.Scalar();
}

std::optional<bool> read_bool(const YAML::Node& n, const std::string& key, Diagnostics& d) {
    if (n.IsScalar()) {
        const auto& s = n.Scalar();
        if (s == "true" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "no" || s == "off") return false;
    }
    d.error(loc_of(n), "'" + key + "' must be true or false, got " + describe_kind(n));
    return std::nullopt;
}

std::optional<int> read_int(const YAML::Node& n, const std::string& key, int min, int max, Diagnostics& d) {
    if (n.IsScalar()) {
        const auto& s = n.Scalar();
        int v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc() && p == s.data() + s.size() && v >= min && v <= max) return v;
    }
    d.error(loc_of(n), "'" + key + "' must be a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", got " + describe_kind(n));
    return std::nullopt;
}

std::optional<std::string> read_choice(const YAML::Node& n, const std::string& key,
                                       const std::vector<std::string>& choices, Diagnostics& d) {
    if (n.IsScalar() && std::find(choices.begin(), choices.end(), n.Scalar()) != choices.end()) return n.Scalar();
    std::string list;
    for (auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    std::string got = describe_kind(n);
    d.error(loc_of(n), "'" + key + "' must be one of " + list + "; got " + got,
            n.IsScalar() ? suggestion(n.Scalar(), choices) : std::string());
    return std::nullopt;
}

std::optional<std::vector<std::string>> read_string_list(const YAML::Node& n, const std::string& key, Diagnostics& d) {
    if (!n.IsSequence()) {
        d.error(loc_of(n), "'" + key + "' must be a list of text values, got " + describe_kind(n));
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (const auto& item : n) {
        if (item.IsScalar()) {
            out.push_back(item.Scalar());
        } else {
            d.error(loc_of(item), "each item of '" + key + "' must be a text value, got " + describe_kind(item));
            ok = false;
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

namespace {

class ShapeCheck : public YAML::EventHandler {
public:
    std::optional<YamlShapeProblem> problem;
    int documents = 0;

    void OnDocumentStart(const YAML::Mark& mark) override {
        if (++documents > 1) found(mark, "a profile is one YAML document; this is a second one (after '---')");
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
        found(mark, "YAML aliases (*name) are not supported in a profile; write the value out");
    }
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        deeper(mark);
    }
    void OnSequenceEnd() override { --depth_; }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        deeper(mark);
    }
    void OnMapEnd() override { --depth_; }

private:
    // A profile nests four levels (network -> a NIC -> forwards -> an item);
    // 32 leaves room and stops pathological input early.
    static constexpr int kMaxDepth = 32;
    void deeper(const YAML::Mark& mark) {
        if (++depth_ > kMaxDepth) found(mark, "nested more than " + std::to_string(kMaxDepth) + " levels deep; no profile key is");
    }
    void found(const YAML::Mark& mark, std::string message) {
        if (!problem) problem = YamlShapeProblem{{mark.line + 1, mark.column + 1}, std::move(message)};
    }
    int depth_ = 0;
};

}  // namespace

std::optional<YamlShapeProblem> check_yaml_shape(const std::string& text) {
    std::istringstream in(text);
    ShapeCheck check;
    try {
        YAML::Parser parser(in);
        while (!check.problem && parser.HandleNextDocument(check)) {}
    } catch (const YAML::Exception&) {
        // A syntax error: the loader reports it with its position.
    }
    return check.problem;
}

}  // namespace vmrun
