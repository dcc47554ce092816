#pragma once
// YAML text -> validated, immutable Config, or every error found in it.
//
// The loader is the only code that sees YAML. It never throws for bad input: syntax errors,
// unknown keys, bad values and broken cross-references all come back as ConfigErrors with
// file:line:column and key path, all of them at once so an operator fixes a file in one go.
// Stateless: concurrent loads (a reload while `levee check` runs) are independent.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/config/config_error.h"
#include "proxy/config/env.h"

namespace levee::config {

struct LoadResult {
  std::shared_ptr<const Config> config;  // null when errors is non-empty
  std::vector<ConfigError> errors;       // all errors found, in file order
  bool ok() const { return config != nullptr; }
};

// A file that cannot be read gives one error naming the file.
LoadResult load_file(const std::string& path, const EnvLookup& env);

// source_name is what errors and Config::source call the text (e.g. "levee.yaml").
LoadResult load_string(std::string_view yaml, const std::string& source_name,
                       const EnvLookup& env);

// The effective config with every default filled in, for the admin /config endpoint and
// `levee check --print`. Values are written in their shortest exact form and '$' as "$$",
// so load_string(to_yaml(c)) gives back a Config equal to c (apart from `source`).
std::string to_yaml(const Config& config);

}  // namespace levee::config
