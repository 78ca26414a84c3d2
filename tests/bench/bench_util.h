#pragma once
// Small statistics and process helpers for the benchmarks.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Stats {
    double median = 0, min = 0, max = 0, p99 = 0;
    size_t n = 0;
};

inline Stats stats(std::vector<double> v) {
    Stats s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    s.n = v.size();
    s.median = v[v.size() / 2];
    s.min = v.front();
    s.max = v.back();
    s.p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
    return s;
}

// One row of the results table: what, unit, median [min..max], n.
inline void row(const std::string& what, const Stats& s, const char* unit, const std::string& note = "") {
    std::printf("| %-58s | %10.3f | %10.3f | %10.3f | %5zu | %s %s\n", what.c_str(), s.median, s.min, s.max, s.n, unit,
                note.c_str());
    std::fflush(stdout);
}

}  // namespace bench
