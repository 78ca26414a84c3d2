#pragma once
// Splits a byte stream into top-level JSON texts. QEMU writes one object per
// line, but we count braces outside strings instead of trusting newlines, so a
// message split over reads, several per read, or pretty-printed all work.

#include <optional>
#include <string>
#include <string_view>

namespace qmp {

class JsonStream {
public:
    void feed(std::string_view bytes) { buffer_.append(bytes); }
    // The next complete object, or nullopt until more bytes arrive. Sets
    // `garbage` when bytes outside any object are not whitespace.
    std::optional<std::string> next();
    bool garbage() const { return garbage_; }
    size_t buffered() const { return buffer_.size(); }

private:
    std::string buffer_;
    size_t scan_ = 0;  // resume point, so a 1 MiB reply is scanned once, not per read
    int depth_ = 0;
    bool in_string_ = false, escaped_ = false;
    bool garbage_ = false;
};

}  // namespace qmp
