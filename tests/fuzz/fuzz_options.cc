// libFuzzer target: any bytes as a command line, its words split on NUL
// bytes as argv is. The first word names the command (any other word picks
// one by its length), the rest go to the one option parser with its table row.
// Invariants: nothing aborts or throws; a usage error names the command; what
// the parser accepts is UTF-8 text only (it reaches QMP and JSON), with
// seconds the commands can read.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "base/utf8.h"
#include "cli/command.h"
#include "cli/option_parser.h"

namespace {

bool utf8(const std::string& s) { return vmrun::first_invalid_utf8(s) == std::string::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vmrun::cli;
    std::vector<std::string> words;
    std::string bytes(reinterpret_cast<const char*>(data), size);
    for (size_t start = 0; start <= bytes.size();) {
        auto nul = bytes.find('\0', start);
        if (nul == std::string::npos) nul = bytes.size();
        words.push_back(bytes.substr(start, nul - start));
        start = nul + 1;
    }
    const Command* command = find_command(words.front());
    if (!command) command = &commands()[words.front().size() % commands().size()];
    words.erase(words.begin());

    auto parsed = OptionParser::parse(*command, words);
    if (auto* bad = std::get_if<UsageError>(&parsed)) {
        if (bad->message.rfind("vmrun " + command->name + ": ", 0) != 0) std::abort();
        return 0;
    }
    if (std::holds_alternative<HelpRequested>(parsed)) return 0;
    const auto& args = std::get<ParsedArgs>(parsed);
    if (&args.command() != command) std::abort();
    for (const auto& p : command->positionals)
        if (!utf8(args.positional(p.name))) std::abort();
    if (command->vm_target && !args.flag("qmp") && !utf8(args.positional("NAME"))) std::abort();
    for (const OptionSpec* o : command_options(*command)) {
        auto value = args.value(o->name);
        if (!value) continue;
        if (!utf8(*value)) std::abort();
        if (o->kind == ValueKind::seconds && args.seconds_or(o->name, -1) < 0) std::abort();
    }
    return 0;
}
