#include "client/h2_request.h"

#include <algorithm>
#include <cctype>

namespace levee::load {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<H2Request> h2_request_from_http1(std::string_view text) {
  const std::size_t end_of_head = text.find("\r\n\r\n");
  if (end_of_head == std::string_view::npos) return std::nullopt;
  std::string_view head = text.substr(0, end_of_head + 2);
  H2Request request;
  request.body = std::string(text.substr(end_of_head + 4));

  const std::size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const std::size_t first_space = line.find(' ');
  const std::size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || last_space <= first_space) return std::nullopt;
  request.head.method = std::string(line.substr(0, first_space));
  request.head.path = std::string(line.substr(first_space + 1, last_space - first_space - 1));
  head.remove_prefix(line_end + 2);

  while (!head.empty()) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view field = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = trim(field.substr(colon + 1));
    if (iequals(name, "host")) {
      request.head.authority = std::string(value);
      continue;
    }
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    request.head.headers.push_back({std::move(lower), std::string(value)});
  }
  return request;
}

}  // namespace levee::load
