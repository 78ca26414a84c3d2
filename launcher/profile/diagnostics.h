#pragma once
// Problems found in a profile, each tied to a file position, reported all at once.

#include <string>
#include <vector>

#include "base/source_location.h"

namespace vmrun {

enum class Severity { error, warning };

struct Diagnostic {
    Severity severity = Severity::error;
    SourceLoc loc;
    std::string message;
    // The likely fix when the reader can name it ("did you mean 'memory'?");
    // shown after the message, and its own field in --json.
    std::string hint;

    // message, then the hint in parentheses.
    std::string text() const;
    // "file:line:col: message" — the first line of the rendered form, which
    // tests compare exactly.
    std::string headline(const std::string& file) const;
};

class Diagnostics {
public:
    void error(SourceLoc loc, std::string message, std::string hint = {}) {
        add(Severity::error, loc, std::move(message), std::move(hint));
    }
    void warning(SourceLoc loc, std::string message) { add(Severity::warning, loc, std::move(message)); }

    bool has_errors() const;
    const std::vector<Diagnostic>& all() const { return list_; }
    // Sorted by position, the order a person reads the file in.
    std::vector<Diagnostic> sorted() const;

private:
    void add(Severity s, SourceLoc loc, std::string message, std::string hint = {});
    std::vector<Diagnostic> list_;
    size_t errors_ = 0;
};

// ninja-style: "file:3:9: error: message", then the source line and a caret
// under the column.
std::string render_diagnostic(const Diagnostic& d, const std::string& file, const std::string& source_text);

// Every diagnostic in file order, the first `most` of them in full and then
// "... and N more": a generated profile with 40,000 mistakes is reported in
// linear time and a screenful. The source's lines are indexed once.
constexpr size_t kMostDiagnosticsShown = 50;
std::string render_diagnostics(const Diagnostics& all, const std::string& file, const std::string& source_text,
                               size_t most = kMostDiagnosticsShown);

}  // namespace vmrun
