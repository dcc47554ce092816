#pragma once
// Binds the keys of one YAML map to typed fields, the building block of every config section.
//
// A section reader names each key it knows and where the value goes:
//
//   void read_server(MapReader& r, ServerConfig& s) {
//     r.integer("threads", s.threads, 0u, 256u);
//     r.duration("drain_timeout", s.drain_timeout);
//   }
//
// A key that is absent leaves the field at its default. A value that does not parse is
// reported (file:line:column, key path, the expected form) and also leaves the default, so
// reading goes on and every error in the file is found in one pass. After the section has
// read what it knows, finish() reports the keys nobody asked for, with a suggestion when a
// known key is near: a typo must never silently disable a setting. map() and list() call
// finish() on the readers they create; the loader calls it on the root.
//
// Internal to the loader; not thread-safe (one load, one thread).

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "proxy/config/config.h"
#include "proxy/config/read_context.h"

namespace levee::config::detail {

// Returns why a string is unacceptable, or nullopt when it is fine.
using StringCheck = std::function<std::optional<std::string>(std::string_view)>;

struct DurationRange {
  Duration min = Duration(1);  // timeouts must be positive unless a reader says otherwise
  // Far beyond any sane timeout, and far enough below the clock's range that now() + d
  // cannot overflow in a timer.
  Duration max = std::chrono::hours(24);
};

enum class PortZero { rejected, allowed };

// YAML 1.1 tools (PyYAML, some Helm pipelines) read an unquoted off, on, no or yes as a boolean
// and write it back as false or true. Where one of those words is among a setting's `words`, its
// boolean spelling reads as that word; any other value comes back as it is.
std::string_view word_spelled_as_boolean(std::string_view value, std::initializer_list<std::string_view> words);

class MapReader {
 public:
  // node must be a map or null (an empty section); path is the key path of the map itself
  // ("" for the root, "listener", "upstreams[0]").
  MapReader(ReadContext& context, const YAML::Node& node, std::string path);

  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;

  const std::string& path() const { return path_; }
  ReadContext& context() { return context_; }

  bool has(std::string_view key);
  // How many keys the map holds, known or not.
  std::size_t key_count() const { return entries_.size(); }
  // Reports "missing required key" at the map when key is absent.
  void require(std::string_view key);

  // A null value ("key:" or "key: ~") reads as the empty string.
  void string(std::string_view key, std::string& out, const StringCheck& check = {});
  void one_of(std::string_view key, std::string& out,
              std::initializer_list<std::string_view> allowed);
  void boolean(std::string_view key, bool& out);
  void number(std::string_view key, double& out, double min, double max);
  void duration(std::string_view key, Duration& out, DurationRange range = {});
  void size(std::string_view key, std::uint64_t& out, std::uint64_t min = 0,
            std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
  void endpoint(std::string_view key, Endpoint& out, PortZero port_zero = PortZero::rejected);

  template <typename T>
  void integer(std::string_view key, T& out, T min, T max) {
    static_assert(std::is_integral_v<T> && sizeof(T) <= sizeof(std::int64_t));
    if (auto value = read_integer(key, static_cast<std::int64_t>(min),
                                  static_cast<std::int64_t>(max))) {
      out = static_cast<T>(*value);
    }
  }

  // A secret taken from the environment: the value must be written as a ${VAR} reference, so the
  // text kept in `written` (what to_yaml gives back) never holds the secret; `value` gets the
  // expansion. "" (or absent) means none.
  void env_secret(std::string_view key, std::string& written, std::string& value);

  // A list of scalars, each checked by `item` (nullopt: fine, else why not). A bad item is
  // reported at its own position and the field keeps its default.
  void string_list(std::string_view key, std::vector<std::string>& out, std::string_view expected,
                   const StringCheck& item = {});

  // A nested map, read by `read`; a null value is an empty map (all defaults).
  void map(std::string_view key, const std::function<void(MapReader&)>& read);
  // A list of maps; read_item gets each item's reader and index. Returns false when the key
  // is absent, null or not a list, so the caller can keep its defaults.
  bool list(std::string_view key, const std::function<void(MapReader&, std::size_t)>& read_item);
  // One map or a list of maps, for a key whose common case is a single item (`key: {header:
  // X-Tenant}` as well as `key: [{header: X-Tenant}, {query: tenant}]`): a map reads as a list
  // of one, at the key's own path. Returns false when the key is absent, null or neither.
  bool map_or_list(std::string_view key, const std::function<void(MapReader&, std::size_t)>& read_item);

  // Reports every key that no binder asked for. Call once, after the last binder.
  void finish();

 private:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;
    bool used = false;
  };

  // Marks key as known; returns its entry (and remembers its location) when present.
  Entry* find(std::string_view key);
  std::string child_path(std::string_view key) const;
  // The value's position, or the key's when the value is null (yaml-cpp then points past it).
  static YAML::Mark value_mark(const Entry& entry);
  // The scalar text of key after ${VAR} substitution, or nullopt (absent, or error reported).
  std::optional<std::string> text(std::string_view key, std::string_view expected, Entry*& entry);
  std::optional<std::int64_t> read_integer(std::string_view key, std::int64_t min,
                                           std::int64_t max);
  void bad_value(const Entry& entry, std::string message);

  ReadContext& context_;
  std::string path_;
  YAML::Mark mark_;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
  bool broken_ = false;    // the node was not a map: its errors are reported already
  bool finished_ = false;
};

}  // namespace levee::config::detail
