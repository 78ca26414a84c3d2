#pragma once
// Splits a byte stream into top-level JSON texts. QEMU writes one object per
// line, but we count braces outside strings instead of trusting newlines, so a
// message split over reads, several per read, or pretty-printed all work.
//
// The peer is not trusted: a QEMU running a hostile guest may send anything.
// A message longer than `max_message` or nested deeper than `max_depth` stops
// the stream before it is buffered whole or parsed (deep nesting makes
// recursive JSON copies and destructors overflow the stack).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "errors.h"

namespace qmp {

struct Limits {
    // QEMU 7.2's largest reply, query-qmp-schema, is ~200 KiB (measured by
    // qmp_real_qemu_test); 16 MiB leaves room for 80 times that.
    size_t max_message = 16u << 20;
    // query-qmp-schema nests 5 deep; nothing QEMU sends comes near 64.
    int max_depth = 64;
};

class JsonStream {
public:
    explicit JsonStream(Limits limits = {}) : limits_(limits) {}
    void feed(std::string_view bytes) { buffer_.append(bytes); }
    // The next complete object, or nullopt until more bytes arrive (or after
    // an error: see error()).
    std::optional<std::string> next();
    // protocol_violation for bytes outside any object, message_too_large,
    // nesting_too_deep; once set, next() returns nothing more.
    std::error_code error() const { return error_; }
    size_t buffered() const { return buffer_.size(); }
    const Limits& limits() const { return limits_; }

private:
    Limits limits_;
    std::string buffer_;
    size_t scan_ = 0;  // resume point, so a 1 MiB reply is scanned once, not per read
    int depth_ = 0;
    bool in_string_ = false, escaped_ = false;
    std::error_code error_;
};

}  // namespace qmp
