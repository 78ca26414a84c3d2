#pragma once
// vmrun's text is UTF-8 end to end: profiles are YAML, QMP and --json output
// are JSON, neither of which can carry other bytes. Input is checked where it
// enters, so nothing further on has to cope with (or abort on) invalid text.

#include <cstddef>
#include <string>
#include <string_view>

namespace vmrun {

// The offset of the first byte that does not belong to valid UTF-8 (overlong
// forms, surrogates and code points past U+10FFFF included), or npos.
size_t first_invalid_utf8(std::string_view text);

// `text` as one line for a message: line breaks and other control
// characters (C0, DEL, C1, U+2028/9) written as \n, \x1b, \u0085 and the like,
// so a value quoted from outside input cannot start a line or move the cursor.
std::string as_one_line(std::string_view text);

}  // namespace vmrun
