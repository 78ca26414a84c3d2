#include "profile/diagnostics.h"

#include <algorithm>
#include <sstream>

namespace vmrun {

std::string Diagnostic::headline(const std::string& file) const {
    std::ostringstream out;
    out << file;
    if (loc.known()) out << ':' << loc.line << ':' << loc.column;
    out << ": " << text();
    return out.str();
}

std::string Diagnostic::text() const {
    return hint.empty() ? message : message + " (" + hint + ")";
}

void Diagnostics::add(Severity s, SourceLoc loc, std::string message, std::string hint) {
    if (s == Severity::error) ++errors_;
    list_.push_back({s, loc, std::move(message), std::move(hint)});
}

bool Diagnostics::has_errors() const {
    return errors_ > 0;
}

std::vector<Diagnostic> Diagnostics::sorted() const {
    auto out = list_;
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::pair(a.loc.line, a.loc.column) < std::pair(b.loc.line, b.loc.column);
    });
    return out;
}

namespace {

// Where each line starts, found in one pass.
class LineIndex {
public:
    explicit LineIndex(const std::string& text) : text_(text) {
        starts_.push_back(0);
        for (size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') starts_.push_back(i + 1);
    }
    std::string line(int number) const {
        if (number < 1 || size_t(number) > starts_.size()) return {};
        size_t begin = starts_[size_t(number) - 1];
        size_t end = text_.find('\n', begin);
        return text_.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    }

private:
    const std::string& text_;
    std::vector<size_t> starts_;
};

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

std::string render_one(const Diagnostic& d, const std::string& file, const LineIndex& lines) {
    std::ostringstream out;
    out << file;
    if (d.loc.known()) out << ':' << d.loc.line << ':' << d.loc.column;
    out << ": " << (d.severity == Severity::error ? "error: " : "warning: ") << d.text() << '\n';
    if (!d.loc.known()) return out.str();
    std::string line = lines.line(d.loc.line);
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

std::string render_diagnostic(const Diagnostic& d, const std::string& file, const std::string& source_text) {
    return render_one(d, file, LineIndex(source_text));
}

std::string render_diagnostics(const Diagnostics& all, const std::string& file, const std::string& source_text, size_t most) {
    LineIndex lines(source_text);
    auto sorted = all.sorted();
    std::string out;
    for (size_t i = 0; i < sorted.size() && i < most; ++i) out += render_one(sorted[i], file, lines);
    if (sorted.size() > most) out += file + ": ... and " + std::to_string(sorted.size() - most) + " more\n";
    return out;
}

}  // namespace vmrun
