#pragma once
// What a command that changes a running VM did (hotplug, unplug): a line per
// change for a person as it happens, or, with --json, one document on stdout.
// The document is printed when the report goes out of scope, so whatever was
// changed is reported on every exit path — also one that fails after the VM
// took the device (then with the exit code saying what went wrong after).

#include <string>

#include <nlohmann/json.hpp>

#include "vm/change_log.h"

namespace vmrun::cli {

class ChangeReport : public ChangeLog {
public:
    ChangeReport(bool json, const std::string& vm);
    ~ChangeReport() override;
    ChangeReport(const ChangeReport&) = delete;
    ChangeReport& operator=(const ChangeReport&) = delete;

    // `line` printed now, or `entry` kept for the document.
    void add(const std::string& list, nlohmann::json entry, const std::string& line) override;
    void set(const std::string& key, nlohmann::json value, const std::string& line) override;

private:
    bool json_;
    bool changed_ = false;
    nlohmann::json doc_;
};

}  // namespace vmrun::cli
