#pragma once
// One problem found while loading a config: where it is and what was expected instead.

#include <string>

namespace levee::config {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown (e.g. a default that failed a cross-check)
  int column = 0;  // 1-based; 0 when unknown
  std::string key_path;  // e.g. "upstreams[0].connect_timeout"; empty for the whole file
  std::string message;   // e.g. "expected a duration like 250ms or 2s, got 'fast'"

  // "levee.yaml:12:5: upstreams[0].connect_timeout: expected ...", the shape compilers use so
  // editors and CI logs can jump to the spot.
  std::string to_string() const;

  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

}  // namespace levee::config
