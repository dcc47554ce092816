#include "proxy/config/map_reader.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "proxy/config/endpoint.h"
#include "proxy/config/suggest.h"
#include "proxy/config/units.h"

namespace levee::config::detail {
namespace {

constexpr std::string_view kDurationForm = "a duration like 250ms, 1.5s or 2m";
constexpr std::string_view kSizeForm =
    "a size like 512, 64KiB or 1MiB (units B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)";
constexpr std::string_view kEndpointForm =
    "host:port like 127.0.0.1:8080, localhost:8080 or [::1]:8080";

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

std::string join(const std::vector<std::string>& words) { return fmt::format("{}", fmt::join(words, ", ")); }

// "64k" style: the single-letter prefixes that mean 1000 to some tools and 1024 to others.
std::optional<std::string> ambiguous_size(std::string_view text) {
  if (text.size() < 2 || !is_digits(text.substr(0, text.size() - 1))) return std::nullopt;
  static constexpr std::string_view kLetters = "kKmMgGtT";
  const char letter = text.back();
  if (kLetters.find(letter) == std::string_view::npos) return std::nullopt;
  const std::string_view number = text.substr(0, text.size() - 1);
  const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(letter)));
  return fmt::format("'{0}' is ambiguous: write {1}{2}iB (1024-based) or {1}{2}B (1000-based)",
                     text, number, upper);
}

}  // namespace

MapReader::MapReader(ReadContext& context, const YAML::Node& node, std::string path)
    : context_(context), path_(std::move(path)), mark_(node.Mark()) {
  if (!node.IsMap()) {
    // The caller reported the wrong type; stay quiet about missing keys as well.
    broken_ = !node.IsNull();
    return;
  }
  for (const auto& pair : node) {
    const YAML::Node key = pair.first;
    if (!key.IsScalar()) {
      context_.error(key.Mark(), path_, fmt::format("expected a plain key name, got {}", describe(key)));
      continue;
    }
    const auto same = std::find_if(entries_.begin(), entries_.end(),
                                   [&](const Entry& e) { return e.key == key.Scalar(); });
    if (same != entries_.end()) {
      context_.error(key.Mark(), child_path(key.Scalar()),
                     fmt::format("duplicate key (first on line {})", same->key_mark.line + 1));
      continue;
    }
    entries_.push_back(Entry{key.Scalar(), key.Mark(), pair.second});
  }
}

bool MapReader::has(std::string_view key) { return find(key) != nullptr; }

void MapReader::require(std::string_view key) {
  if (find(key) == nullptr && !broken_) {
    context_.error(mark_, child_path(key), "missing; this key is required");
  }
}

void MapReader::string(std::string_view key, std::string& out, const StringCheck& check) {
  Entry* entry = find(key);
  if (entry == nullptr) return;
  std::string value;
  if (!entry->value.IsNull()) {
    std::optional<std::string> text = context_.scalar_text(entry->value, value_mark(*entry),
                                                           child_path(key), "a string");
    if (!text) return;
    value = std::move(*text);
  }
  if (check) {
    if (std::optional<std::string> problem = check(value)) {
      bad_value(*entry, std::move(*problem));
      return;
    }
  }
  out = std::move(value);
}

std::string_view word_spelled_as_boolean(std::string_view value, std::initializer_list<std::string_view> words) {
  const auto spelled = [&](std::initializer_list<std::string_view> candidates) -> std::string_view {
    for (const auto word : words)
      if (std::find(candidates.begin(), candidates.end(), word) != candidates.end()) return word;
    return value;
  };
  if (value == "false") return spelled({"off", "no"});
  if (value == "true") return spelled({"on", "yes"});
  return value;
}

void MapReader::one_of(std::string_view key, std::string& out,
                       std::initializer_list<std::string_view> allowed) {
  const std::vector<std::string> words(allowed.begin(), allowed.end());
  const std::string form = fmt::format("one of {}", join(words));
  Entry* entry = nullptr;
  std::optional<std::string> value = text(key, form, entry);
  if (!value) return;
  const std::string_view word = word_spelled_as_boolean(*value, allowed);
  if (std::find(words.begin(), words.end(), word) != words.end()) {
    out = std::string(word);
    return;
  }
  std::string message = fmt::format("expected {}; got '{}'", form, *value);
  if (auto near = closest(*value, words)) message += fmt::format("; did you mean '{}'?", *near);
  bad_value(*entry, std::move(message));
}

void MapReader::boolean(std::string_view key, bool& out) {
  Entry* entry = nullptr;
  const std::optional<std::string> value = text(key, "true or false", entry);
  if (!value) return;
  // YAML 1.2 spellings only: "no" meaning false is how a country code becomes a boolean.
  if (*value == "true" || *value == "True" || *value == "TRUE") {
    out = true;
  } else if (*value == "false" || *value == "False" || *value == "FALSE") {
    out = false;
  } else {
    bad_value(*entry, fmt::format("expected true or false, got '{}'", *value));
  }
}

void MapReader::number(std::string_view key, double& out, double min, double max) {
  const std::string form = fmt::format("a number from {} to {}", min, max);
  Entry* entry = nullptr;
  const std::optional<std::string> value = text(key, form, entry);
  if (!value) return;
  double parsed = 0;
  const char* end = value->data() + value->size();
  const auto [stop, ec] = std::from_chars(value->data(), end, parsed);
  if (ec != std::errc() || stop != end || !std::isfinite(parsed) || parsed < min ||
      parsed > max) {
    bad_value(*entry, fmt::format("expected {}, got '{}'", form, *value));
    return;
  }
  out = parsed;
}

void MapReader::duration(std::string_view key, Duration& out, DurationRange range) {
  Entry* entry = nullptr;
  const std::optional<std::string> value = text(key, kDurationForm, entry);
  if (!value) return;
  const std::optional<Duration> parsed = parse_duration(*value);
  if (!parsed) {
    std::string message = fmt::format("expected {}, got '{}'", kDurationForm, *value);
    if (is_digits(*value)) message += ": a number needs a unit (ns, us, ms, s, m, h)";
    bad_value(*entry, std::move(message));
  } else if (*parsed < range.min) {
    const std::string bound = range.min == Duration(1)
                                  ? std::string("greater than 0")
                                  : fmt::format("of at least {}", format_duration(range.min));
    bad_value(*entry, fmt::format("expected a duration {}, got '{}'", bound, *value));
  } else if (*parsed > range.max) {
    bad_value(*entry, fmt::format("expected a duration of at most {}, got '{}'",
                                  format_duration(range.max), *value));
  } else {
    out = *parsed;
  }
}

void MapReader::size(std::string_view key, std::uint64_t& out, std::uint64_t min,
                     std::uint64_t max) {
  Entry* entry = nullptr;
  const std::optional<std::string> value = text(key, kSizeForm, entry);
  if (!value) return;
  const std::optional<std::uint64_t> parsed = parse_size(*value);
  if (!parsed) {
    std::optional<std::string> ambiguous = ambiguous_size(*value);
    bad_value(*entry, ambiguous ? std::move(*ambiguous)
                                : fmt::format("expected {}, got '{}'", kSizeForm, *value));
  } else if (*parsed < min || *parsed > max) {
    bad_value(*entry, fmt::format("expected a size from {} to {}, got '{}'", format_size(min),
                                  format_size(max), *value));
  } else {
    out = *parsed;
  }
}

void MapReader::endpoint(std::string_view key, Endpoint& out, PortZero port_zero) {
  Entry* entry = nullptr;
  const std::optional<std::string> value = text(key, kEndpointForm, entry);
  if (!value) return;
  const std::optional<Endpoint> parsed = parse_endpoint(*value);
  const std::string_view ports = port_zero == PortZero::allowed ? "0..65535" : "1..65535";
  if (!parsed) {
    bad_value(*entry, fmt::format("expected {} (port {}), got '{}'", kEndpointForm, ports, *value));
  } else if (parsed->port == 0 && port_zero == PortZero::rejected) {
    bad_value(*entry, fmt::format("expected a port in 1..65535, got '{}' (port 0 is only for "
                                  "addresses levee listens on)",
                                  *value));
  } else {
    out = *parsed;
  }
}

void MapReader::env_secret(std::string_view key, std::string& written, std::string& value) {
  Entry* entry = nullptr;
  std::optional<std::string> expanded = text(key, "a ${VAR} reference to an environment variable", entry);
  if (!expanded) return;
  const std::string& as_written = entry->value.Scalar();
  if (!as_written.empty() && as_written.find("${") == std::string::npos) {
    bad_value(*entry, "write the secret as a ${VAR} reference to an environment variable, or put it in a file "
                      "(secret_file): a secret written here would be shown by the admin endpoint /config");
    return;
  }
  written = as_written;
  value = std::move(*expanded);
}

void MapReader::map(std::string_view key, const std::function<void(MapReader&)>& read) {
  Entry* entry = find(key);
  if (entry == nullptr) return;
  if (!entry->value.IsMap() && !entry->value.IsNull()) {
    context_.error(value_mark(*entry), child_path(key),
                   fmt::format("expected a map, got {}", describe(entry->value)));
    return;
  }
  MapReader child(context_, entry->value, child_path(key));
  read(child);
  child.finish();
}

void MapReader::string_list(std::string_view key, std::vector<std::string>& out, std::string_view expected,
                            const StringCheck& item) {
  Entry* entry = find(key);
  if (entry == nullptr || entry->value.IsNull()) return;
  if (!entry->value.IsSequence()) {
    context_.error(value_mark(*entry), child_path(key),
                   fmt::format("expected a list of {}, got {}", expected, describe(entry->value)));
    return;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < entry->value.size(); ++i) {
    const YAML::Node node = entry->value[i];
    const std::string item_path = fmt::format("{}[{}]", child_path(key), i);
    std::optional<std::string> text = context_.scalar_text(node, node.Mark(), item_path, expected);
    if (!text) {
      ok = false;
      continue;
    }
    if (item) {
      if (std::optional<std::string> problem = item(*text)) {
        context_.error(node.Mark(), item_path, std::move(*problem));
        ok = false;
        continue;
      }
    }
    values.push_back(std::move(*text));
  }
  if (ok) out = std::move(values);
}

bool MapReader::list(std::string_view key,
                     const std::function<void(MapReader&, std::size_t)>& read_item) {
  Entry* entry = find(key);
  if (entry == nullptr || entry->value.IsNull()) return false;
  if (!entry->value.IsSequence()) {
    context_.error(value_mark(*entry), child_path(key),
                   fmt::format("expected a list, got {}", describe(entry->value)));
    return false;
  }
  for (std::size_t i = 0; i < entry->value.size(); ++i) {
    const YAML::Node item = entry->value[i];
    const std::string item_path = fmt::format("{}[{}]", child_path(key), i);
    const YAML::Mark mark = item.IsNull() ? value_mark(*entry) : item.Mark();
    context_.remember(item_path, mark);
    if (!item.IsMap()) {
      context_.error(mark, item_path, fmt::format("expected a map, got {}", describe(item)));
    }
    // Read even a broken item (as all defaults) so item i stays at index i for later checks.
    MapReader child(context_, item.IsMap() ? item : YAML::Node(), item_path);
    child.broken_ = !item.IsMap();
    read_item(child, i);
    child.finish();
  }
  return true;
}

bool MapReader::map_or_list(std::string_view key,
                            const std::function<void(MapReader&, std::size_t)>& read_item) {
  Entry* entry = find(key);
  if (entry == nullptr || entry->value.IsNull()) return false;
  if (entry->value.IsSequence()) return list(key, read_item);
  if (!entry->value.IsMap()) {
    context_.error(value_mark(*entry), child_path(key),
                   fmt::format("expected a map or a list of maps, got {}", describe(entry->value)));
    return false;
  }
  MapReader child(context_, entry->value, child_path(key));
  read_item(child, 0);
  child.finish();
  return true;
}

void MapReader::finish() {
  if (finished_) return;
  finished_ = true;
  for (const Entry& entry : entries_) {
    if (entry.used) continue;
    std::string message = "unknown key";
    if (auto near = closest(entry.key, known_)) {
      message += fmt::format("; did you mean '{}'?", *near);
    } else if (!known_.empty()) {
      message += fmt::format(" (known keys: {})", join(known_));
    }
    context_.error(entry.key_mark, child_path(entry.key), std::move(message));
  }
}

MapReader::Entry* MapReader::find(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  for (Entry& entry : entries_) {
    if (entry.key != key) continue;
    if (!entry.used) context_.remember(child_path(key), value_mark(entry));
    entry.used = true;
    return &entry;
  }
  return nullptr;
}

std::string MapReader::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

YAML::Mark MapReader::value_mark(const Entry& entry) {
  return entry.value.IsNull() ? entry.key_mark : entry.value.Mark();
}

std::optional<std::string> MapReader::text(std::string_view key, std::string_view expected,
                                           Entry*& entry) {
  entry = find(key);
  if (entry == nullptr) return std::nullopt;
  return context_.scalar_text(entry->value, value_mark(*entry), child_path(key), expected);
}

std::optional<std::int64_t> MapReader::read_integer(std::string_view key, std::int64_t min,
                                                    std::int64_t max) {
  const std::string form = fmt::format("an integer from {} to {}", min, max);
  Entry* entry = nullptr;
  const std::optional<std::string> value = text(key, form, entry);
  if (!value) return std::nullopt;
  std::int64_t parsed = 0;
  const char* end = value->data() + value->size();
  const auto [stop, ec] = std::from_chars(value->data(), end, parsed);
  if (ec != std::errc() || stop != end || parsed < min || parsed > max) {
    bad_value(*entry, fmt::format("expected {}, got '{}'", form, *value));
    return std::nullopt;
  }
  return parsed;
}

void MapReader::bad_value(const Entry& entry, std::string message) {
  context_.error(value_mark(entry), child_path(entry.key), std::move(message));
}

}  // namespace levee::config::detail
