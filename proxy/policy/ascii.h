#pragma once

#include <algorithm>
#include <string_view>

namespace levee {

// HTTP names and tokens are case-insensitive in ASCII only (RFC 9110 5.1), so these helpers
// ignore the C locale that std::tolower consults. They also replace boost::beast::iequals:
// in Boost 1.81 it reads one byte past both inputs once they differ only in case, which is out
// of bounds for a request target (the fuzzer found it with "httP://").
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool ascii_equal_ignoring_case(char x, char y) { return ascii_lower(x) == ascii_lower(y); }

constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), ascii_equal_ignoring_case);
}

constexpr bool ascii_icontains(std::string_view text, std::string_view word) {
  return std::search(text.begin(), text.end(), word.begin(), word.end(), ascii_equal_ignoring_case) !=
         text.end();
}

// Without the optional whitespace (spaces and tabs, RFC 9110 5.6.3) around a header value or
// a list item.
constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace levee
