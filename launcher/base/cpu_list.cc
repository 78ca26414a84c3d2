#include "base/cpu_list.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace vmrun {

namespace {

constexpr int kMaxCpu = 8191;  // the kernel's NR_CPUS ceiling on x86_64

std::optional<int> number(const std::string& s) {
    if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
    int n = std::stoi(s);
    if (n > kMaxCpu) return std::nullopt;
    return n;
}

}  // namespace

std::optional<std::vector<int>> parse_cpu_list(const std::string& text) {
    std::string s = text;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    std::vector<int> out;
    if (s.empty()) return out;
    std::istringstream in(s);
    std::string part;
    while (std::getline(in, part, ',')) {
        auto dash = part.find('-');
        auto first = number(part.substr(0, dash));
        auto last = dash == std::string::npos ? first : number(part.substr(dash + 1));
        if (!first || !last || *last < *first) return std::nullopt;
        for (int c = *first; c <= *last; ++c) out.push_back(c);
    }
    if (s.back() == ',') return std::nullopt;
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string format_cpu_list(std::vector<int> cpus) {
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        if (!out.empty()) out += ",";
        out += std::to_string(cpus[i]);
        if (j > i) out += "-" + std::to_string(cpus[j]);
        i = j + 1;
    }
    return out;
}

}  // namespace vmrun
