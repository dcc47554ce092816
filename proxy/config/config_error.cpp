#include "proxy/config/config_error.h"

#include <fmt/format.h>

namespace levee::config {

std::string ConfigError::to_string() const {
  std::string position;
  if (line > 0) position = column > 0 ? fmt::format(":{}:{}", line, column) : fmt::format(":{}", line);
  if (key_path.empty()) return fmt::format("{}{}: {}", file, position, message);
  return fmt::format("{}{}: {}: {}", file, position, key_path, message);
}

}  // namespace levee::config
