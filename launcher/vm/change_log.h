#pragma once
// Where an operation that changes a running VM (hotplug, unplug, --persist)
// reports each change as it is made. The command line prints them, a line
// each or one JSON document (cli/change_report).

#include <string>

#include <nlohmann/json.hpp>

namespace vmrun {

class ChangeLog {
public:
    virtual ~ChangeLog() = default;
    // A change: `line` for a person, `entry` appended to the document's `list`.
    virtual void add(const std::string& list, nlohmann::json entry, const std::string& line) = 0;
    // A fact of the whole change: `line` for a person, `value` at `key`.
    virtual void set(const std::string& key, nlohmann::json value, const std::string& line) = 0;
};

}  // namespace vmrun
