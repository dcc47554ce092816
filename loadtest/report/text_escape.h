#pragma once
// Escaping for the text reports (Markdown summary, JUnit XML). Labels, targets and phase names
// come from the command line or a profile and may hold any bytes; the CI pages that show these
// files reject or mangle invalid XML and break tables on a stray '|'.

#include <string>
#include <string_view>

namespace levee::load {

// Valid UTF-8 unchanged; each byte of an invalid sequence becomes U+FFFD.
std::string valid_utf8(std::string_view text);

// XML character data or attribute value: & < > " ' escaped, control characters other than tab,
// newline and carriage return (not allowed in XML 1.0) dropped, invalid UTF-8 replaced.
std::string xml_escaped(std::string_view text);

// One Markdown table cell: | escaped, newlines as spaces, & < > as entities (GitHub renders inline
// HTML), invalid UTF-8 replaced.
std::string markdown_cell(std::string_view text);

}  // namespace levee::load
