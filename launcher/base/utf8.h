#pragma once
// vmrun's text is UTF-8 end to end: profiles are YAML, QMP and --json output
// are JSON, neither of which can carry other bytes. Input is checked where it
// enters, so nothing further on has to cope with (or abort on) invalid text.

#include <cstddef>
#include <string_view>

namespace vmrun {

// The offset of the first byte that does not belong to valid UTF-8 (overlong
// forms, surrogates and code points past U+10FFFF included), or npos.
size_t first_invalid_utf8(std::string_view text);

}  // namespace vmrun
