#include "json_stream.h"

namespace qmp {

std::optional<std::string> JsonStream::next() {
    if (error_) return std::nullopt;
    if (depth_ == 0) {
        // Skip separators between messages.
        size_t start = scan_;
        while (start < buffer_.size() && (buffer_[start] == ' ' || buffer_[start] == '\n' || buffer_[start] == '\r' || buffer_[start] == '\t'))
            ++start;
        if (start < buffer_.size() && buffer_[start] != '{') {
            error_ = errc::protocol_violation;
            return std::nullopt;
        }
        buffer_.erase(0, start);
        scan_ = 0;
    }
    for (; scan_ < buffer_.size(); ++scan_) {
        if (scan_ >= limits_.max_message) {
            error_ = errc::message_too_large;
            buffer_.clear();
            return std::nullopt;
        }
        char c = buffer_[scan_];
        if (in_string_) {
            if (escaped_) escaped_ = false;
            else if (c == '\\') escaped_ = true;
            else if (c == '"') in_string_ = false;
            continue;
        }
        if (c == '"') in_string_ = true;
        else if (c == '{' || c == '[') {
            if (++depth_ > limits_.max_depth) {
                error_ = errc::nesting_too_deep;
                buffer_.clear();
                return std::nullopt;
            }
        } else if (c == '}' || c == ']') {
            if (--depth_ == 0) {
                std::string msg = buffer_.substr(0, scan_ + 1);
                buffer_.erase(0, scan_ + 1);
                scan_ = 0;
                return msg;
            }
        }
    }
    return std::nullopt;
}

}  // namespace qmp
