#include "libvirt/xml_reader.h"

#include <cstdint>
#include <vector>

#include "base/utf8.h"
#include "libvirt/domain_import.h"

namespace vmrun {

namespace {

class DomainXmlReader {
public:
    DomainXmlReader(std::string_view xml, std::string source) : s_(xml), source_(std::move(source)) {}

    DomainXml read() {
        DomainXml out;
        if (s_.size() > kLibvirtXmlMaxBytes) {
            out.error = source_ + ": over " + std::to_string(kLibvirtXmlMaxBytes >> 20) +
                        " MiB, the most 'vmrun import libvirt' reads (a libvirt domain is some KiB): "
                        "give it the XML 'virsh dumpxml NAME' writes";
            return out;
        }
        try {
            check_characters();
            parse(out.tree);
        } catch (const Stop& stop) {
            out.tree.clear();
            out.error = source_ + ":" + std::to_string(line_of(stop.at)) + ": " + stop.message;
        }
        return out;
    }

private:
    using ptree = boost::property_tree::ptree;

    struct Stop {
        size_t at;
        std::string message;
    };
    struct Open {
        ptree* node;
        std::string_view name;
    };

    [[noreturn]] void fail(size_t at, const std::string& what) { throw Stop{at, "not XML: " + what}; }

    size_t line_of(size_t at) const {
        size_t line = 1;
        for (size_t k = 0; k < at && k < s_.size(); ++k) line += s_[k] == '\n';
        return line;
    }

    bool at(std::string_view prefix) const { return s_.substr(i_, prefix.size()) == prefix; }
    static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    void skip_space() {
        while (i_ < s_.size() && space(s_[i_])) ++i_;
    }
    size_t find(std::string_view end, const char* unclosed) {
        auto e = s_.find(end, i_);
        if (e == std::string_view::npos) fail(i_, unclosed);
        return e;
    }

    // XML is Unicode text: libvirt writes UTF-8, and no control character but
    // tab and line breaks, raw or as &#N;.
    void check_characters() {
        if (auto bad = first_invalid_utf8(s_); bad != std::string_view::npos)
            fail(bad, "a byte that is not UTF-8 (libvirt writes UTF-8; iconv converts other encodings)");
        for (size_t k = 0; k < s_.size(); ++k)
            if (static_cast<unsigned char>(s_[k]) < 0x20 && !space(s_[k]))
                fail(k, "control character " + hex(static_cast<unsigned char>(s_[k])) + ", which XML does not allow");
    }

    static std::string hex(uint32_t c) {
        static const char* digits = "0123456789ABCDEF";
        std::string out = "U+";
        for (int shift = c > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) out += digits[(c >> shift) & 15];
        return out;
    }

    void parse(ptree& doc) {
        if (at("\xEF\xBB\xBF")) i_ += 3;  // a byte order mark
        while (true) {
            if (open_.empty()) {
                skip_space();
                if (i_ == s_.size()) return;
                if (s_[i_] != '<') fail(i_, "text outside the root element");
                markup(doc);
            } else {
                text(*open_.back().node);
                if (i_ == s_.size()) fail(i_, "<" + std::string(open_.back().name) + "> is not closed");
                markup(*open_.back().node);
            }
        }
    }

    void markup(ptree& parent) {
        if (at("<?")) {
            i_ = find("?>", "'<?' is not closed by '?>'") + 2;
        } else if (at("<!--")) {
            i_ = find("-->", "a comment is not closed by '-->'") + 3;
        } else if (at("<![CDATA[")) {
            if (open_.empty()) fail(i_, "CDATA outside the root element");
            i_ += 9;
            auto end = find("]]>", "CDATA is not closed by ']]>'");
            parent.data() += std::string(s_.substr(i_, end - i_));
            i_ = end + 3;
        } else if (at("<!DOCTYPE") && open_.empty()) {
            doctype();
        } else if (at("<!")) {
            fail(i_, "'<!' that starts no comment, CDATA or DOCTYPE");
        } else if (at("</")) {
            close_tag();
        } else {
            start_tag(parent);
        }
    }

    // Skipped, its internal subset too: entities it declares are not expanded.
    void doctype() {
        size_t from = i_, brackets = 0;
        for (i_ += 9; i_ < s_.size(); ++i_) {
            if (s_[i_] == '[') ++brackets;
            else if (s_[i_] == ']' && brackets) --brackets;
            else if (s_[i_] == '>' && !brackets) {
                ++i_;
                return;
            }
        }
        fail(from, "<!DOCTYPE is not closed");
    }

    std::string_view name() {
        size_t from = i_;
        while (i_ < s_.size() && !space(s_[i_]) && std::string_view("/>=<?!'\"&").find(s_[i_]) == std::string_view::npos)
            ++i_;
        return s_.substr(from, i_ - from);
    }

    void close_tag() {
        size_t from = i_;
        i_ += 2;
        auto n = name();
        skip_space();
        if (i_ == s_.size() || s_[i_] != '>') fail(from, "</" + std::string(n) + " is not closed by '>'");
        ++i_;
        if (open_.empty()) fail(from, "</" + std::string(n) + "> closes no element");
        if (n != open_.back().name)
            fail(from, "</" + std::string(n) + "> where </" + std::string(open_.back().name) + "> closes <" +
                           std::string(open_.back().name) + ">");
        open_.pop_back();
    }

    void count(size_t at) {
        if (++nodes_ > kLibvirtXmlMaxNodes)
            throw Stop{at, "more than " + std::to_string(kLibvirtXmlMaxNodes) +
                               " elements and attributes, the most 'vmrun import libvirt' reads (a libvirt domain has some "
                               "hundred): give it the XML 'virsh dumpxml NAME' writes"};
    }

    void start_tag(ptree& parent) {
        size_t from = i_++;
        auto n = name();
        if (n.empty()) fail(from, "'<' that starts no element (write it as &lt;)");
        if (open_.size() + 1 > kLibvirtXmlMaxDepth)
            throw Stop{from, "elements nested more than " + std::to_string(kLibvirtXmlMaxDepth) +
                                 " deep, the most 'vmrun import libvirt' reads (a libvirt domain nests about 6): "
                                 "give it the XML 'virsh dumpxml NAME' writes"};
        count(from);
        ptree& element = parent.push_back({std::string(n), ptree()})->second;
        ptree* attributes = nullptr;
        while (true) {
            skip_space();
            if (i_ == s_.size()) fail(from, "<" + std::string(n) + " is not closed by '>'");
            if (at("/>")) {
                i_ += 2;
                return;
            }
            if (s_[i_] == '>') {
                ++i_;
                open_.push_back({&element, n});
                return;
            }
            size_t attr_at = i_;
            auto key = name();
            if (key.empty()) fail(i_, "'" + std::string(1, s_[i_]) + "' in <" + std::string(n) + ">");
            skip_space();
            if (i_ == s_.size() || s_[i_] != '=') fail(attr_at, "attribute " + std::string(key) + " has no '=' and value");
            ++i_;
            skip_space();
            if (i_ == s_.size() || (s_[i_] != '\'' && s_[i_] != '"'))
                fail(attr_at, "attribute " + std::string(key) + "'s value is not in quotes");
            char quote = s_[i_++];
            auto end = find(std::string_view(&quote, 1), "an attribute value is not closed");
            count(attr_at);
            if (!attributes) attributes = &element.push_back({"<xmlattr>", ptree()})->second;
            attributes->push_back({std::string(key), ptree(expand(i_, end, false))});
            i_ = end + 1;
        }
    }

    // An element's text up to the next markup, added to what it has.
    void text(ptree& element) {
        auto end = s_.find('<', i_);
        if (end == std::string_view::npos) end = s_.size();
        element.data() += expand(i_, end, true);
        i_ = end;
    }

    // The characters of s_[from, to) with entities and character references
    // replaced. `condense`, for text: a run of whitespace as written becomes
    // one space and none at either end (a reference, such as &#10;, is kept).
    std::string expand(size_t from, size_t to, bool condense) {
        std::string out;
        size_t k = from;
        if (condense)
            while (k < to && space(s_[k])) ++k;
        while (k < to) {
            char c = s_[k];
            if (condense && space(c)) {
                while (k < to && space(s_[k])) ++k;
                if (k < to) out += ' ';
                continue;
            }
            if (c == '&') {
                auto semi = s_.find(';', k);
                if (semi != std::string_view::npos && semi < to && semi - k <= 10) {
                    auto ref = s_.substr(k + 1, semi - k - 1);
                    if (auto ch = entity(ref, k); !ch.empty()) {
                        out += ch;
                        k = semi + 1;
                        continue;
                    }
                }
                // An '&' that starts no reference stays as written, as boost's reader left it.
            }
            out += c;
            ++k;
        }
        return out;
    }

    std::string entity(std::string_view ref, size_t at) {
        if (ref == "lt") return "<";
        if (ref == "gt") return ">";
        if (ref == "amp") return "&";
        if (ref == "quot") return "\"";
        if (ref == "apos") return "'";
        if (ref.size() < 2 || ref[0] != '#') return "";
        bool hex_digits = ref[1] == 'x';
        auto digits = ref.substr(hex_digits ? 2 : 1);
        uint32_t c = 0;
        if (digits.empty() || digits.size() > 7) fail(at, "&" + std::string(ref) + "; is no character");
        for (char d : digits) {
            int v = d >= '0' && d <= '9' ? d - '0'
                    : hex_digits && d >= 'a' && d <= 'f' ? d - 'a' + 10
                    : hex_digits && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                                         : -1;
            if (v < 0) fail(at, "&" + std::string(ref) + "; is no character");
            c = c * (hex_digits ? 16 : 10) + uint32_t(v);
        }
        // XML 1.0's Char: no control characters but tab and line breaks, no surrogates.
        bool allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
                       (c >= 0x10000 && c <= 0x10FFFF);
        if (!allowed) fail(at, "&" + std::string(ref) + "; is " + hex(c) + ", which XML does not allow");
        return utf8(c);
    }

    static std::string utf8(uint32_t c) {
        std::string out;
        if (c < 0x80) {
            out += char(c);
        } else if (c < 0x800) {
            out += char(0xC0 | (c >> 6));
            out += char(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += char(0xE0 | (c >> 12));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        } else {
            out += char(0xF0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3F));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        }
        return out;
    }

    std::string_view s_;
    std::string source_;
    size_t i_ = 0;
    size_t nodes_ = 0;
    std::vector<Open> open_;
};


}  // namespace

DomainXml read_domain_xml(std::string_view xml, std::string source) { return DomainXmlReader(xml, std::move(source)).read(); }

}  // namespace vmrun
