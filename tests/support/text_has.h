#pragma once

#include <algorithm>
#include <string>
#include <vector>

// Whether `text` contains `part`: what most checks of a command's output ask.
inline bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Whether any of `lines` contains `part`.
inline bool mentions(const std::vector<std::string>& lines, const std::string& part) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return has(l, part); });
}

// Whether `argv` has `word` as one of its words.
inline bool has_arg(const std::vector<std::string>& argv, const std::string& word) {
    return std::find(argv.begin(), argv.end(), word) != argv.end();
}
