#pragma once
// Where a value came from in a profile, so every later stage (validation,
// planning) can point the user at the exact line that caused a problem.

#include <map>
#include <string>

namespace vmrun {

struct SourceLoc {
    int line = 0;    // 1-based; 0 = unknown
    int column = 0;  // 1-based
    bool known() const { return line > 0; }
};

// Locations of an element's keys and values, by key name; "" is the element itself.
class Locations {
public:
    void set(const std::string& key, SourceLoc loc) { by_key_[key] = loc; }
    // The location of `key`, or of the element when the key was not written.
    SourceLoc of(const std::string& key = "") const {
        auto it = by_key_.find(key);
        if (it != by_key_.end()) return it->second;
        auto self = by_key_.find("");
        return self == by_key_.end() ? SourceLoc{} : self->second;
    }
    bool has(const std::string& key) const { return by_key_.count(key) != 0; }

private:
    std::map<std::string, SourceLoc> by_key_;
};

}  // namespace vmrun
