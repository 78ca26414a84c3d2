#pragma once
// "did you mean" suggestions for misspelt keys and values.

#include <string>
#include <vector>

namespace vmrun {

// The candidate closest to `word` by edit distance, if it is close enough to
// be a plausible typo; empty otherwise.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// "did you mean 'x'?" or "".
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace vmrun
