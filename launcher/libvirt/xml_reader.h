#pragma once
// The domain XML read into a boost property tree, in the shape boost's
// read_xml gives with trim_whitespace (elements by name, attributes under
// "<xmlattr>", an element's text as its data, whitespace runs written as one
// space), comments, processing instructions and the DOCTYPE left out.
//
// Not boost's read_xml: its parser recursed once per nesting level (100000
// levels overflowed the stack) and the document was held three times over
// (the text, the parser's nodes, the tree). This reader keeps its open
// elements on a vector and stops at the limits in libvirt_import.h — size
// before it starts, depth and element count as it goes — so what it builds
// stays small whatever the file holds. Errors name the line.

#include <boost/property_tree/ptree.hpp>

#include <string>
#include <string_view>

namespace vmrun {

struct DomainXml {
    boost::property_tree::ptree tree;  // empty when `error` is set
    std::string error;                 // "SOURCE:LINE: ...", ready for the user
};

// `source` names the input in errors.
DomainXml read_domain_xml(std::string_view xml, std::string source);

}  // namespace vmrun
