#include "base/did_you_mean.h"

#include <algorithm>
#include <cctype>

namespace vmrun {

namespace {

// Damerau-Levenshtein (optimal string alignment): a swapped pair of letters is
// the most common typo and should count as one edit.
size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = std::tolower((unsigned char)a[i - 1]) == std::tolower((unsigned char)b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
    // Typos are made in words, not in pasted blobs: a long input gets no
    // suggestion (and no quadratic distance table).
    constexpr size_t kLongestWord = 64;
    if (word.size() > kLongestWord) return {};
    // A third of the word may be wrong; beyond that a suggestion is noise.
    size_t allowed = std::max<size_t>(1, word.size() / 3);
    std::string best;
    size_t best_distance = SIZE_MAX;
    for (const auto& c : candidates) {
        // The length difference alone bounds the distance from below.
        if ((c.size() > word.size() ? c.size() - word.size() : word.size() - c.size()) > allowed) continue;
        size_t dist = edit_distance(word, c);
        if (dist < best_distance) {
            best_distance = dist;
            best = c;
        }
    }
    return best_distance <= allowed ? best : std::string();
}

std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
    auto m = closest_match(word, candidates);
    return m.empty() ? std::string() : "did you mean '" + m + "'?";
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    auto s = suggestion(word, candidates);
    return s.empty() ? s : " (" + s + ")";
}

}  // namespace vmrun
