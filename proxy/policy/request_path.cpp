#include "proxy/policy/request_path.h"

#include <vector>

namespace levee::policy {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 2.3: decoding these never changes what a URI means.
bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Nothing to decode, no backslash, no segment starting with '.': already normal. The common case,
// decided without allocating.
bool plainly_normal(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '%' || c == '\\') return false;
    if (c == '.' && i > 0 && path[i - 1] == '/') return false;
  }
  return true;
}

// Step 1: percent-decoding of unreserved characters, refusing what cannot be decoded safely.
std::string_view decode_unreserved(std::string_view path, std::string& out) {
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '\\') return "backslash in path";
    if (c != '%') {
      out += c;
      continue;
    }
    const int high = i + 2 < path.size() ? hex_value(path[i + 1]) : -1;
    const int low = high >= 0 ? hex_value(path[i + 2]) : -1;
    if (low < 0) return "malformed percent-encoding in path";
    const char decoded = static_cast<char>(high * 16 + low);
    if (decoded == '/') return "encoded '/' in path";
    if (decoded == '\\') return "encoded '\\' in path";
    if (decoded == '\0') return "encoded NUL in path";
    if (is_unreserved(decoded)) out += decoded;
    else out.append(path.substr(i, 3));
    i += 2;
  }
  return {};
}

// Step 2: RFC 3986 5.2.4 remove_dot_segments, except that ".." above the root is refused
// instead of dropped (the RFC's clamping is one more way for two readers to disagree).
std::string_view remove_dot_segments(std::string_view path, std::string& out) {
  std::vector<std::string_view> segments;
  bool ends_in_directory = false;
  std::string_view rest = path.substr(1);  // after the leading '/'
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    ends_in_directory = false;
    if (segment == "." || segment == "..") {
      if (segment == "..") {
        if (segments.empty()) return "path climbs above the root";
        segments.pop_back();
      }
      ends_in_directory = true;
    } else if (segment.starts_with(".;") || segment.starts_with("..;")) {
      return "dot segment with parameters in path";
    } else {
      segments.push_back(segment);
    }
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  out.assign(1, '/');  // not `out = "/"`: GCC 12 warns falsely on it (-Wrestrict, bug 105329)
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out.append(segments[i]);
  }
  if (ends_in_directory && !out.ends_with('/')) out += '/';
  return {};
}

}  // namespace

NormalizedTarget normalize_target(std::string_view target) {
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (!path.starts_with('/') || plainly_normal(path)) return {};
  std::string decoded;
  if (const auto problem = decode_unreserved(path, decoded); !problem.empty()) return {std::nullopt, problem};
  std::string normal;
  if (const auto problem = remove_dot_segments(decoded, normal); !problem.empty()) return {std::nullopt, problem};
  if (normal == path) return {};
  if (question != std::string_view::npos) normal.append(target.substr(question));
  return {std::move(normal), {}};
}

}  // namespace levee::policy
