#pragma once
// What a command that changes a running VM did (hotplug, unplug): a line per
// change for a person as it happens, or, with --json, one document on stdout.
// The document is printed when the report goes out of scope, so whatever was
// changed is reported on every exit path — also one that fails after the VM
// took the device (then with the exit code saying what went wrong after).

#include <string>

#include <nlohmann/json.hpp>

namespace vmrun::cli {

class ChangeReport {
public:
    ChangeReport(bool json, const std::string& vm);
    ~ChangeReport();
    ChangeReport(const ChangeReport&) = delete;
    ChangeReport& operator=(const ChangeReport&) = delete;

    // A change: `line` for a person now, `entry` appended to the document's `list`.
    void add(const std::string& list, nlohmann::json entry, const std::string& line);
    // A fact of the whole change: `line` for a person now, `value` at `key`.
    void set(const std::string& key, nlohmann::json value, const std::string& line);

private:
    bool json_;
    bool changed_ = false;
    nlohmann::json doc_;
};

}  // namespace vmrun::cli
