#include "profile/diagnostics.h"

#include <algorithm>
#include <sstream>

namespace vmrun {

std::string Diagnostic::headline(const std::string& file) const {
    std::ostringstream out;
    out << file;
    if (loc.known()) out << ':' << loc.line << ':' << loc.column;
    out << ": " << message;
    return out.str();
}

void Diagnostics::add(Severity s, SourceLoc loc, std::string message) {
    list_.push_back({s, loc, std::move(message)});
}

bool Diagnostics::has_errors() const {
    return std::any_of(list_.begin(), list_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; });
}

std::vector<Diagnostic> Diagnostics::sorted() const {
    auto out = list_;
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::pair(a.loc.line, a.loc.column) < std::pair(b.loc.line, b.loc.column);
    });
    return out;
}

namespace {

std::string source_line(const std::string& text, int line) {
    std::istringstream in(text);
    std::string current;
    for (int n = 1; std::getline(in, current); ++n)
        if (n == line) return current;
    return {};
}

}  // namespace

// A source line too long to read (a generated or pasted value) is shown as a
// window around the caret, so one diagnostic stays a few lines of output.
struct ShownLine {
    std::string text;
    size_t caret = 0;  // byte offset of the caret in `text`
};

ShownLine window_around(const std::string& line, size_t caret) {
    constexpr size_t kWidth = 120, kBefore = 60;
    caret = std::min(caret, line.size());
    if (line.size() <= kWidth) return {line, caret};
    size_t begin = caret > kBefore ? caret - kBefore : 0;
    size_t end = std::min(line.size(), begin + kWidth);
    std::string prefix = begin > 0 ? "..." : "", suffix = end < line.size() ? "..." : "";
    return {prefix + line.substr(begin, end - begin) + suffix, prefix.size() + caret - begin};
}

std::string render_diagnostic(const Diagnostic& d, const std::string& file, const std::string& source_text) {
    std::ostringstream out;
    out << file;
    if (d.loc.known()) out << ':' << d.loc.line << ':' << d.loc.column;
    out << ": " << (d.severity == Severity::error ? "error: " : "warning: ") << d.message << '\n';
    if (!d.loc.known()) return out.str();
    std::string line = source_line(source_text, d.loc.line);
    if (line.empty()) return out.str();
    auto shown = window_around(line, size_t(std::max(d.loc.column, 1) - 1));
    std::string gutter = std::to_string(d.loc.line);
    out << "  " << gutter << " | " << shown.text << '\n';
    out << "  " << std::string(gutter.size(), ' ') << " | ";
    // Keep tabs so the caret lines up with the source line in any terminal.
    for (size_t i = 0; i < shown.caret; ++i) out << (shown.text[i] == '\t' ? '\t' : ' ');
    out << "^\n";
    return out.str();
}

}  // namespace vmrun
