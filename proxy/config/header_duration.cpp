#include "proxy/config/header_duration.h"

#include <algorithm>
#include <string>

#include "proxy/config/units.h"

namespace levee::config {

std::optional<Duration> parse_header_duration(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return parse_duration_at_most(std::string(text) + "ms", max_header_duration);
  return parse_duration_at_most(text, max_header_duration);
}

}  // namespace levee::config
