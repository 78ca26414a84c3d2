#include "cli/option_parser.h"

#include <boost/program_options.hpp>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "base/did_you_mean.h"
#include "base/utf8.h"

namespace po = boost::program_options;

namespace vmrun::cli {

namespace {

const char* kPositionals = "positional arguments";  // a key no option can have

const OptionSpec kQmpTarget{"qmp", "PATH", "talk to the QMP socket at PATH instead of a VM found by NAME",
                            ValueKind::text};
const OptionSpec kHelp{"help", "", "this text", ValueKind::none, 'h'};

std::vector<const OptionSpec*> all_options(const Command& c) {
    std::vector<const OptionSpec*> out;
    for (const auto& o : c.options) out.push_back(&o);
    if (c.vm_target) out.push_back(&kQmpTarget);
    out.push_back(&kHelp);
    return out;
}

std::string spelled(const OptionSpec& o) {
    return "--" + o.name;
}

std::optional<double> read_seconds(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    // Hex, inf and nan are numbers to strtod, not to someone typing seconds.
    if (*end != '\0' || !std::isfinite(v) || v < 0 || v > 1e7 ||
        text.find_first_not_of("0123456789.") != std::string::npos)
        return std::nullopt;
    return v;
}

UsageError error(const Command& c, const std::string& what) {
    return {"vmrun " + c.name + ": " + what};
}

}  // namespace

std::string value_shown(const OptionSpec& o) {
    if (o.value_name.empty()) return "";
    return o.kind == ValueKind::optional ? "[=" + o.value_name + "]" : " " + o.value_name;
}

const OptionSpec& qmp_target_option() { return kQmpTarget; }
std::vector<const OptionSpec*> command_options(const Command& command) { return all_options(command); }

double ParsedArgs::seconds_or(const std::string& name, double fallback) const {
    auto v = value(name);
    if (!v) return fallback;
    return read_seconds(*v).value_or(fallback);
}

ParseResult OptionParser::parse(const Command& command, const std::vector<std::string>& args) {
    po::options_description described;
    std::vector<std::string> known;
    for (const OptionSpec* o : all_options(command)) {
        std::string spec = o->name + (o->short_name ? std::string(",") + o->short_name : "");
        // An optional value is taken off its '=' below: Boost's implicit values
        // would swallow the next word ("--force-bind PROFILE").
        if (o->kind == ValueKind::none || o->kind == ValueKind::optional) described.add_options()(spec.c_str(), o->help.c_str());
        else described.add_options()(spec.c_str(), po::value<std::string>(), o->help.c_str());
        known.push_back(spelled(*o));
    }
    described.add_options()(kPositionals, po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add(kPositionals, -1);
    // No abbreviations: '--f' must not silently mean '--force' today and
    // something else once another option starts with f.
    int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

    std::map<std::string, std::string> optional_values;
    std::vector<std::string> words_in = args;
    for (auto& w : words_in) {
        if (w == "--") break;
        for (const OptionSpec* o : all_options(command))
            if (o->kind == ValueKind::optional && w.rfind(spelled(*o) + "=", 0) == 0) {
                optional_values[o->name] = w.substr(spelled(*o).size() + 1);
                w = spelled(*o);
            }
    }

    po::parsed_options parsed(&described);
    try {
        parsed = po::command_line_parser(words_in).options(described).positional(positional).style(style).run();
    } catch (const po::unknown_option& e) {
        auto name = e.get_option_name();
        return error(command, "unknown option '" + name + "'" + did_you_mean(name, known));
    } catch (const po::invalid_command_line_syntax& e) {
        // Not e.what(): Boost fills its message in by replacing placeholders
        // until none is left, and a word holding "%canonical_option%" is
        // replaced by itself for ever (the option's name here is what was typed).
        auto name = e.get_option_name();
        if (e.kind() == po::invalid_syntax::missing_parameter)
            for (const OptionSpec* o : all_options(command))
                if (name == spelled(*o) || name == std::string("-") + o->short_name)
                    return error(command, spelled(*o) + " needs a value (" + o->value_name + ")");
        if (e.kind() == po::invalid_syntax::extra_parameter) return error(command, name + " takes no value");
        if (e.kind() == po::invalid_syntax::empty_adjacent_parameter) return error(command, name + "= needs a value after '='");
        return error(command, "cannot read '" + name + "'");
    } catch (const po::error& e) {
        // The other errors name only options of the table.
        return error(command, e.what());
    }

    // Paths may be any bytes to the kernel, but QMP and --json speak JSON:
    // text that is not UTF-8 is refused here, before anything tries to send it.
    for (const auto& a : args)
        if (first_invalid_utf8(a) != std::string::npos)
            return error(command, "'" + a.substr(0, first_invalid_utf8(a)) + "...' is not UTF-8 text; vmrun speaks UTF-8 "
                                  "only (QMP and its JSON output cannot carry other bytes): rename it");

    ParsedArgs out;
    out.command_ = &command;
    std::vector<std::string> words;
    std::map<int, std::string> group_taken;
    for (const auto& opt : parsed.options) {
        if (opt.string_key == kPositionals) {
            words.insert(words.end(), opt.value.begin(), opt.value.end());
            continue;
        }
        if (opt.string_key == kHelp.name) return HelpRequested{};
        const OptionSpec* spec = nullptr;
        for (const OptionSpec* o : all_options(command))
            if (o->name == opt.string_key) spec = o;
        if (!spec) return error(command, "unknown option '" + opt.string_key + "'");
        if (out.values_.count(spec->name)) return error(command, spelled(*spec) + " was given twice");
        if (spec->exclusive_group) {
            auto [it, fresh] = group_taken.emplace(spec->exclusive_group, spelled(*spec));
            if (!fresh) return error(command, it->second + " and " + spelled(*spec) + " exclude each other; give one");
        }
        std::string value = opt.value.empty() ? "" : opt.value.front();
        switch (spec->kind) {
            case ValueKind::none: break;
            case ValueKind::optional:
                if (auto given = optional_values.find(spec->name); given != optional_values.end()) value = given->second;
                if (value.empty() && optional_values.count(spec->name))
                    return error(command, spelled(*spec) + "= needs a value after '=' (" + spec->value_name + "), or give " +
                                              spelled(*spec) + " alone");
                break;
            case ValueKind::text:
                if (value.empty()) return error(command, spelled(*spec) + " needs a value (" + spec->value_name + ")");
                break;
            case ValueKind::seconds:
                if (!read_seconds(value))
                    return error(command, spelled(*spec) + " takes a number of seconds, like 30 or 0.5; got '" + value + "'");
                break;
        }
        out.values_[spec->name] = value;
    }

    size_t next = 0;
    if (command.vm_target && !out.flag(kQmpTarget.name)) {
        if (words.empty()) return error(command, "which VM? give its NAME (see 'vmrun list') or --qmp PATH");
        out.positionals_["NAME"] = words[next++];
    }
    for (const auto& p : command.positionals) {
        if (next < words.size()) out.positionals_[p.name] = words[next++];
        else if (!p.optional) return error(command, "missing " + p.name);
    }
    if (next < words.size()) return error(command, "unexpected argument '" + words[next] + "'");
    return out;
}

std::string usage_text(const Command& c) {
    std::string line = "usage: vmrun " + c.name;
    if (c.vm_target) line += " NAME|--qmp PATH";
    for (const auto& p : c.positionals) line += p.optional ? " [" + p.name + "]" : " " + p.name;
    std::set<int> groups_done;
    for (const auto& o : c.options) {
        auto one = [](const OptionSpec& x) { return spelled(x) + value_shown(x); };
        if (!o.exclusive_group) {
            line += " [" + one(o) + "]";
            continue;
        }
        if (!groups_done.insert(o.exclusive_group).second) continue;
        std::string alternatives;
        for (const auto& x : c.options)
            if (x.exclusive_group == o.exclusive_group) alternatives += (alternatives.empty() ? "" : " | ") + one(x);
        line += " [" + alternatives + "]";
    }
    std::string out = line + "\n";
    for (const auto& more : c.more_usage) out += "       " + more + "\n";
    return out;
}

std::string help_text(const Command& c) {
    std::string out = usage_text(c) + "\n" + c.description;
    if (!c.description.empty() && c.description.back() != '\n') out += "\n";
    out += "\noptions:\n";
    std::vector<std::pair<std::string, std::string>> rows;
    for (const OptionSpec* o : all_options(c)) {
        std::string left = (o->short_name ? std::string("-") + o->short_name + ", " : "    ") + spelled(*o);
        left += value_shown(*o);
        rows.emplace_back(left, o->help);
    }
    size_t width = 0;
    for (const auto& [left, _] : rows) width = std::max(width, left.size());
    for (const auto& [left, help] : rows) out += "  " + left + std::string(width - left.size() + 2, ' ') + help + "\n";
    return out;
}

}  // namespace vmrun::cli
