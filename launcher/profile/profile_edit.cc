#include "profile/profile_edit.h"
#include "base/join.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace vmrun {

namespace {

// The text as lines, each with its newline (the last may lack one).
std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        size_t end = nl == std::string::npos ? text.size() : nl + 1;
        lines.push_back(text.substr(start, end - start));
        start = end;
    }
    return lines;
}

size_t indent_of(const std::string& line) { return line.find_first_not_of(' '); }

bool blank_or_comment(const std::string& line) {
    auto first = line.find_first_not_of(" \t\r\n");
    return first == std::string::npos || line[first] == '#';
}

std::vector<SourceLoc> item_locations(const Profile& p, DeviceList list) {
    std::vector<SourceLoc> out;
    auto add = [&](const auto& items) {
        for (const auto& i : items) out.push_back(i.at.of());
    };
    switch (list) {
        case DeviceList::disks: add(p.disks); break;
        case DeviceList::network: add(p.nics); break;
        case DeviceList::passthrough: add(p.passthrough); break;
        case DeviceList::usb: add(p.usb); break;
    }
    return out;
}

// Where an item's '- ' is: the item's node starts after it on the same line
// (or on a later one, for "-\n  key: value"). npos line when the item is not
// in a block list (it sits inside [ ... ]).
struct Dash {
    size_t line = std::string::npos, column = 0;
};

Dash dash_of(const std::vector<std::string>& lines, SourceLoc item) {
    if (!item.known() || size_t(item.line) > lines.size()) return {};
    size_t line = item.line - 1;
    size_t col = std::min<size_t>(item.column - 1, lines[line].size());
    while (true) {
        const auto& l = lines[line];
        while (col > 0 && (l[col - 1] == ' ' || l[col - 1] == '\t')) --col;
        if (col > 0) {
            if (l[col - 1] != '-') return {};
            // Only spaces before it: a nested "- - x" is not a profile's shape.
            if (l.find_first_not_of(' ') != col - 1) return {};
            return {line, col - 1};
        }
        if (line == 0) return {};
        --line;
        col = lines[line].find_last_not_of(" \t\r\n");
        if (col == std::string::npos || lines[line][col] != '-') return {};
        ++col;
    }
}

// The last line of the item whose dash is at `d`: its own lines run while a
// line is indented deeper than the dash (or is blank or a comment); trailing
// blank and comment lines belong to what follows.
size_t item_last_line(const std::vector<std::string>& lines, Dash d) {
    size_t last = d.line;
    for (size_t i = d.line + 1; i < lines.size(); ++i) {
        if (blank_or_comment(lines[i])) continue;
        if (indent_of(lines[i]) <= d.column) break;
        last = i;
    }
    return last;
}

// The key's line, when the key is a top-level block key at column 1.
std::optional<size_t> key_line(const std::vector<std::string>& lines, const Profile& p, const std::string& key) {
    if (!p.at.has(key)) return std::nullopt;
    auto at = p.at.of(key);
    if (!at.known() || at.column != 1 || size_t(at.line) > lines.size()) return std::nullopt;
    if (lines[at.line - 1].compare(0, key.size() + 1, key + ":") != 0) return std::nullopt;
    return at.line - 1;
}

// What follows "key:" on its line, without a comment or surrounding space.
std::string value_on_key_line(const std::string& line, const std::string& key) {
    std::string rest = line.substr(key.size() + 1);
    auto hash = rest.find(" #");
    if (hash != std::string::npos) rest = rest.substr(0, hash);
    if (!rest.empty() && rest[0] == '#') rest.clear();
    auto first = rest.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return rest.substr(first, rest.find_last_not_of(" \t\r\n") - first + 1);
}

std::string flow_list_error(const std::string& key) {
    return "'" + key + "' is written as a flow list ([...]); write it as a block list (one '- ' item per line) so "
           "that vmrun can edit it";
}

size_t item_count(const Profile& p, DeviceList list) { return item_locations(p, list).size(); }

size_t error_count(const Diagnostics& d) {
    return size_t(std::count_if(d.all().begin(), d.all().end(), [](const Diagnostic& x) { return x.severity == Severity::error; }));
}

// The edit works on lines, so a layout it misreads (a quoted value whose
// later lines sit left of its item) would cut a value in two. The text must
// read back with `list` changed by exactly `delta` items, the other lists as
// they were and no new error; else the edit is refused.
ProfileEdit checked(ProfileEdit out, const LoadedProfile& before, DeviceList list, long delta) {
    if (!out.ok()) return out;
    auto after = load_profile(out.text, "", "");
    bool same = error_count(after.diagnostics) <= error_count(before.diagnostics);
    for (auto l : {DeviceList::disks, DeviceList::network, DeviceList::passthrough, DeviceList::usb})
        same = same && long(item_count(after.profile, l)) == long(item_count(before.profile, l)) + (l == list ? delta : 0);
    if (!same) {
        out.text.clear();
        out.error = std::string("vmrun cannot tell where the items of '") + list_key(list) +
                    "' end in this profile's layout (a quoted value running over several lines?); edit it by hand";
    }
    return out;
}

std::string render_flow(const std::vector<ItemField>& fields) {
    std::string out = "{";
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ", ";
        out += fields[i].key + ": " + (fields[i].verbatim ? fields[i].value : yaml_scalar(fields[i].value));
    }
    return out + "}";
}

}  // namespace

const char* list_key(DeviceList list) {
    switch (list) {
        case DeviceList::disks: return "disks";
        case DeviceList::network: return "network";
        case DeviceList::passthrough: return "passthrough";
        case DeviceList::usb: return "usb";
    }
    return "";
}

std::string yaml_scalar(const std::string& value) {
    static const std::set<std::string> special = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"};
    std::string lower = value;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    bool plain = !value.empty() && !special.count(lower) &&
                 std::all_of(value.begin(), value.end(), [](unsigned char c) {
                     return std::isalnum(c) || c == '/' || c == '_' || c == '.' || c == '-' || c == '+';
                 }) &&
                 value[0] != '-' && value[0] != '.' &&
                 // A number (1.5, 0x10, 1e3, 010) would be read back as one.
                 !std::isdigit(static_cast<unsigned char>(value[0])) && value[0] != '+';
    if (plain) return value;
    std::string out = "\"";
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') out += '\\', out += char(c);
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else out += char(c);
    }
    return out + "\"";
}

ProfileEdit append_item(const std::string& text, const LoadedProfile& loaded, DeviceList list,
                        const std::vector<ItemField>& fields) {
    return append_items(text, loaded, list, {fields});
}

ProfileEdit append_items(const std::string& text, const LoadedProfile& loaded, DeviceList list,
                         const std::vector<std::vector<ItemField>>& new_items) {
    ProfileEdit out;
    const std::string key = list_key(list);
    auto lines = split_lines(text);
    auto items = item_locations(loaded.profile, list);

    if (!loaded.profile.at.has(key)) {
        // A new list at the end of the file.
        if (!text.empty() && text.back() != '\n') lines.back() += '\n';
        lines.push_back(key + ":\n");
        for (const auto& fields : new_items) lines.push_back("  - " + render_flow(fields) + "\n");
        out.text = join(lines, "");
        return checked(out, loaded, list, long(new_items.size()));
    }
    auto kline = key_line(lines, loaded.profile, key);
    if (!kline) {
        out.error = "'" + key + "' is not a top-level key at the start of its line; vmrun edits only block-style profiles";
        return out;
    }
    if (items.empty()) {
        // "key: []" (or "key:" with nothing, which the loader refuses anyway).
        auto value = value_on_key_line(lines[*kline], key);
        if (value != "[]" && !value.empty()) {
            out.error = flow_list_error(key);
            return out;
        }
        if (value == "[]") {
            auto& l = lines[*kline];
            auto pos = l.find("[]", key.size() + 1);
            size_t from = pos;
            while (from > key.size() + 1 && l[from - 1] == ' ') --from;
            l.erase(from, pos + 2 - from);
        }
        std::vector<std::string> added;
        for (const auto& fields : new_items) added.push_back("  - " + render_flow(fields) + "\n");
        lines.insert(lines.begin() + *kline + 1, added.begin(), added.end());
        out.text = join(lines, "");
        return checked(out, loaded, list, long(new_items.size()));
    }

    std::vector<Dash> dashes;
    for (const auto& at : items) {
        auto d = dash_of(lines, at);
        if (d.line == std::string::npos) {
            out.error = flow_list_error(key);
            return out;
        }
        dashes.push_back(d);
    }
    const Dash& first = dashes.front();
    size_t last_line = item_last_line(lines, dashes.back());
    std::string pad(first.column, ' ');
    // Block mappings like the others ("- host: x" then the keys aligned under
    // it); a flow mapping where the items are flow mappings or plain addresses.
    const auto& first_item = items.front();
    const std::string& item_line = lines[first_item.line - 1];
    size_t key_column = first_item.column - 1;  // where "host" starts after "- "
    size_t name_end = key_column;
    while (name_end < item_line.size() && (std::isalnum(static_cast<unsigned char>(item_line[name_end])) || item_line[name_end] == '_'))
        ++name_end;
    bool block = size_t(first_item.line - 1) == first.line && name_end > key_column && name_end < item_line.size() &&
                 item_line[name_end] == ':' &&
                 (name_end + 1 == item_line.size() || std::isspace(static_cast<unsigned char>(item_line[name_end + 1])));
    bool flow = !block;
    std::vector<std::string> added;
    for (const auto& fields : new_items) {
        if (flow) {
            added.push_back(pad + "- " + render_flow(fields) + "\n");
            continue;
        }
        std::string inner(key_column, ' ');
        for (size_t i = 0; i < fields.size(); ++i) {
            std::string value = fields[i].verbatim ? fields[i].value : yaml_scalar(fields[i].value);
            std::string head = i == 0 ? pad + "-" + std::string(key_column - first.column - 1, ' ') : inner;
            added.push_back(head + fields[i].key + ": " + value + "\n");
        }
    }
    if (lines[last_line].empty() || lines[last_line].back() != '\n') lines[last_line] += '\n';
    lines.insert(lines.begin() + last_line + 1, added.begin(), added.end());
    out.text = join(lines, "");
    return checked(out, loaded, list, long(new_items.size()));
}

ProfileEdit remove_items(const std::string& text, const LoadedProfile& loaded, DeviceList list,
                         const std::vector<size_t>& indexes) {
    ProfileEdit out;
    const std::string key = list_key(list);
    auto lines = split_lines(text);
    auto items = item_locations(loaded.profile, list);
    std::set<size_t> chosen(indexes.begin(), indexes.end());
    if (chosen.empty() || *chosen.rbegin() >= items.size()) {
        out.error = "no such item in '" + key + "'";
        return out;
    }
    auto kline = key_line(lines, loaded.profile, key);
    if (!kline) {
        out.error = "'" + key + "' is not a top-level key at the start of its line; vmrun edits only block-style profiles";
        return out;
    }
    std::vector<std::pair<size_t, size_t>> spans;  // first and last line of each chosen item
    for (size_t i : chosen) {
        auto d = dash_of(lines, items[i]);
        if (d.line == std::string::npos) {
            out.error = flow_list_error(key);
            return out;
        }
        spans.push_back({d.line, item_last_line(lines, d)});
    }
    // Bottom up, so the earlier spans' line numbers still hold.
    for (auto it = spans.rbegin(); it != spans.rend(); ++it)
        lines.erase(lines.begin() + it->first, lines.begin() + it->second + 1);
    if (chosen.size() == items.size()) {
        // An emptied list goes with its key, unless the key line says something.
        auto& l = lines[*kline];
        if (l.find('#') == std::string::npos) lines.erase(lines.begin() + *kline);
        else l.insert(key.size() + 1, " []");
    }
    out.text = join(lines, "");
    return checked(out, loaded, list, -long(chosen.size()));
}

DeviceItems find_device_items(const Profile& p, const std::string& id) {
    DeviceItems out;
    auto scan = [&](const auto& items, DeviceList list) {
        for (size_t i = 0; i < items.size(); ++i)
            if (items[i].id == id) {
                out.list = list;
                out.indexes = {i};
            }
    };
    scan(p.disks, DeviceList::disks);
    scan(p.nics, DeviceList::network);
    scan(p.usb, DeviceList::usb);
    scan(p.passthrough, DeviceList::passthrough);
    if (out.list == DeviceList::passthrough && !out.indexes.empty()) {
        const auto& chosen = p.passthrough[out.indexes[0]];
        // A device the user placed on pcie.0 stands alone; the rest share their host slot's guest slot.
        if (!chosen.guest_address)
            for (size_t i = 0; i < p.passthrough.size(); ++i)
                if (i != out.indexes[0] && !p.passthrough[i].guest_address && p.passthrough[i].host.same_slot(chosen.host))
                    out.indexes.push_back(i);
    }
    return out;
}

std::vector<std::string> device_ids(const Profile& p) {
    std::vector<std::string> ids;
    for (const auto& d : p.disks) ids.push_back(d.id);
    for (const auto& n : p.nics) ids.push_back(n.id);
    for (const auto& x : p.passthrough) ids.push_back(x.id);
    for (const auto& u : p.usb) ids.push_back(u.id);
    return ids;
}

}  // namespace vmrun
