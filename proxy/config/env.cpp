#include "proxy/config/env.h"

#include <cstdlib>

#include <fmt/format.h>

namespace levee::config {
namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const std::string key(name);  // getenv needs a terminated string
    const char* value = std::getenv(key.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::variant<std::string, EnvError> expand_env(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 == text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    const std::size_t name_begin = i + 2;
    std::size_t j = name_begin;
    if (j < text.size() && is_name_start(text[j])) {
      while (j < text.size() && is_name_char(text[j])) ++j;
    }
    const std::string_view name = text.substr(name_begin, j - name_begin);
    const std::string_view reference = text.substr(i, j - i);
    if (name.empty()) {
      return EnvError{fmt::format(
          "'{}': expected a variable name ([A-Za-z_][A-Za-z0-9_]*) after '${{' (write $$ for a "
          "literal '$')",
          text.substr(i))};
    }
    std::optional<std::string_view> fallback;
    if (text.substr(j, 2) == ":-") {
      const std::size_t close = text.find('}', j + 2);
      if (close == std::string_view::npos) {
        return EnvError{fmt::format("'{}...': missing '}}'", reference)};
      }
      fallback = text.substr(j + 2, close - j - 2);
      j = close;
    }
    if (j >= text.size() || text[j] != '}') {
      return EnvError{fmt::format(
          "'{}...': expected '}}' or ':-default}}' after the variable name (write $$ for a "
          "literal '$')",
          reference)};
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (fallback && (!value || value->empty())) value = std::string(*fallback);
    if (!value) {
      return EnvError{fmt::format(
          "environment variable '{0}' is not set (write ${{{0}:-default}} to give a default)",
          name)};
    }
    out += *value;
    i = j + 1;
  }
  return out;
}

std::string escape_env(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

}  // namespace levee::config
