#pragma once
// State shared by every MapReader during one load: where the text came from, the
// environment for ${VAR}, the errors found so far and where each key was found.
//
// Internal to the loader. One instance per load, used by one thread; nothing is global, so
// loads (and reloads) can run side by side.

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "proxy/config/config_error.h"
#include "proxy/config/env.h"

namespace levee::config::detail {

class ReadContext {
 public:
  ReadContext(std::string source, EnvLookup env);

  const std::string& source() const { return source_; }

  // Records an error at a YAML position (yaml-cpp marks are 0-based; a null mark means unknown).
  void error(const YAML::Mark& mark, std::string key_path, std::string message);

  // Records an error at the place key_path was read from, or its nearest recorded parent:
  // for checks that run on the typed Config after reading (duplicate names, references).
  void error_at(const std::string& key_path, std::string message);

  // Remembers where key_path was found, for error_at.
  void remember(const std::string& key_path, const YAML::Mark& mark);
  std::optional<YAML::Mark> location(const std::string& key_path) const;

  // The scalar's text after ${VAR} substitution; on failure reports why (using `expected`,
  // e.g. "a duration like 250ms or 2s", for a node of the wrong kind) and returns nullopt.
  std::optional<std::string> scalar_text(const YAML::Node& node, const YAML::Mark& mark,
                                         const std::string& key_path, std::string_view expected);

  bool has_errors() const { return !errors_.empty(); }
  // Whether an error was recorded at `key_path` or below it ("priority_trust" covers
  // "priority_trust.secret"): a cross-key check of a section with a bad key only repeats it.
  bool has_errors_under(std::string_view key_path) const;

  // The errors in file order (line, then column); errors without a position last.
  std::vector<ConfigError> take_errors();

 private:
  std::string source_;
  EnvLookup env_;
  std::vector<ConfigError> errors_;
  std::unordered_map<std::string, YAML::Mark> locations_;
};

// "a map", "a list", "nothing" or the scalar quoted: what an error says it got instead.
std::string describe(const YAML::Node& node);

}  // namespace levee::config::detail
