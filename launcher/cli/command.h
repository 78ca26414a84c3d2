#pragma once
// The vmrun command table's types. Every command is one row: its name, its
// positional arguments, its options and its help text. Usage lines, --help,
// unknown-option errors (with "did you mean") and, later, completion and man
// pages all come from these rows, never from a command's own loop.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmrun::cli {

// What an option's value must look like; the parser refuses anything else
// with a message naming the option, so no command ever reads "abc" as 0.
enum class ValueKind {
    none,     // a flag
    text,     // any non-empty word
    seconds,  // a non-negative number of seconds, fractions allowed: 90, 0.5
    optional, // a flag that may carry a value, given as --name=VALUE only
};

struct OptionSpec;
// " VALUE", "[=VALUE]" for an optional value, or "" for a flag: how usage and help show it.
std::string value_shown(const OptionSpec& o);

struct OptionSpec {
    std::string name;        // "timeout" for --timeout
    std::string value_name;  // "SECONDS"; empty for a flag
    std::string help;        // one line
    ValueKind kind = ValueKind::none;
    char short_name = 0;     // 'd' for -d
    // Options sharing a non-zero group exclude each other.
    int exclusive_group = 0;
};

struct PositionalSpec {
    std::string name;  // "PROFILE", "ID"
    bool optional = false;
};

class ParsedArgs;

struct Command {
    std::string name;
    std::string summary;  // one line for 'vmrun --help'
    // The first positional is a running VM's NAME, or --qmp PATH instead.
    bool vm_target = false;
    std::vector<PositionalSpec> positionals;
    std::vector<OptionSpec> options;
    std::string description;  // paragraphs after the usage line
    int (*run)(const ParsedArgs&) = nullptr;
    std::vector<std::string> more_usage = {};  // extra usage lines (aliases, alternative forms)
};

// What the parser read for one command; only what the table declared.
class ParsedArgs {
public:
    bool flag(const std::string& name) const { return values_.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const {
        auto it = values_.find(name);
        if (it == values_.end()) return std::nullopt;
        return it->second;
    }
    std::string value_or(const std::string& name, const std::string& fallback) const {
        return value(name).value_or(fallback);
    }
    // A ValueKind::seconds option, already checked by the parser.
    double seconds_or(const std::string& name, double fallback) const;
    // A positional by its table name; "" when an optional one was not given.
    std::string positional(const std::string& name) const {
        auto it = positionals_.find(name);
        return it == positionals_.end() ? "" : it->second;
    }
    const Command& command() const { return *command_; }

private:
    friend class OptionParser;
    const Command* command_ = nullptr;
    std::map<std::string, std::string> values_;
    std::map<std::string, std::string> positionals_;
};

const std::vector<Command>& commands();
// 'vmrun __complete WORD...', the completion scripts' question (cmd_completion.cc).
int run_complete_words(const std::vector<std::string>& words);
const Command* find_command(const std::string& name);

}  // namespace vmrun::cli
