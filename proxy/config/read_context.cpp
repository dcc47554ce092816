#include "proxy/config/read_context.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace levee::config::detail {
namespace {

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). YAML text is
// Unicode and yaml-cpp's emitter replaces invalid bytes with U+FFFD, so a value holding them
// would not survive to_yaml (admin /config, `levee check --print`); such a file is refused.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned low = 0x80;  // allowed range of the second byte
    unsigned high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    if (byte(i + 1) < low || byte(i + 1) > high) return false;
    for (std::size_t k = 2; k < length; ++k)
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return false;
    i += length;
  }
  return true;
}

}  // namespace

ReadContext::ReadContext(std::string source, EnvLookup env)
    : source_(std::move(source)), env_(std::move(env)) {}

void ReadContext::error(const YAML::Mark& mark, std::string key_path, std::string message) {
  ConfigError error{source_, 0, 0, std::move(key_path), std::move(message)};
  if (!mark.is_null()) {
    error.line = mark.line + 1;
    error.column = mark.column + 1;
  }
  errors_.push_back(std::move(error));
}

void ReadContext::error_at(const std::string& key_path, std::string message) {
  // Walk up "routes[1].upstream" -> "routes[1]" -> "routes" until something was recorded,
  // so an error about a defaulted key still points at the item that lacks it.
  std::string path = key_path;
  while (!path.empty()) {
    if (const auto found = locations_.find(path); found != locations_.end()) {
      error(found->second, key_path, std::move(message));
      return;
    }
    const std::size_t cut = path.find_last_of(".[");
    path.resize(cut == std::string::npos ? 0 : cut);
  }
  error(YAML::Mark::null_mark(), key_path, std::move(message));
}

void ReadContext::remember(const std::string& key_path, const YAML::Mark& mark) {
  locations_.insert_or_assign(key_path, mark);
}

std::optional<YAML::Mark> ReadContext::location(const std::string& key_path) const {
  const auto found = locations_.find(key_path);
  if (found == locations_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string> ReadContext::scalar_text(const YAML::Node& node, const YAML::Mark& mark,
                                                    const std::string& key_path,
                                                    std::string_view expected) {
  if (!node.IsScalar()) {
    error(mark, key_path, fmt::format("expected {}, got {}", expected, describe(node)));
    return std::nullopt;
  }
  auto expanded = expand_env(node.Scalar(), env_);
  if (auto* failure = std::get_if<EnvError>(&expanded)) {
    error(mark, key_path, std::move(failure->message));
    return std::nullopt;
  }
  if (!is_utf8(std::get<std::string>(expanded))) {
    error(mark, key_path, "expected UTF-8 text, got bytes that are not valid UTF-8 (save the file as UTF-8)");
    return std::nullopt;
  }
  return std::get<std::string>(std::move(expanded));
}

bool ReadContext::has_errors_under(std::string_view key_path) const {
  return std::any_of(errors_.begin(), errors_.end(), [&](const ConfigError& e) {
    const std::string_view path = e.key_path;
    return path.starts_with(key_path) &&
           (path.size() == key_path.size() || path[key_path.size()] == '.' || path[key_path.size()] == '[');
  });
}

std::vector<ConfigError> ReadContext::take_errors() {
  // Line 0 means "unknown"; those sort after every located error.
  auto order = [](const ConfigError& e) {
    return std::pair(e.line == 0 ? std::numeric_limits<int>::max() : e.line, e.column);
  };
  std::stable_sort(errors_.begin(), errors_.end(),
                   [&](const ConfigError& a, const ConfigError& b) { return order(a) < order(b); });
  return std::exchange(errors_, {});
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return fmt::format("'{}'", node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

}  // namespace levee::config::detail
