#include "proxy/config/relative_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace levee::config::detail {

std::optional<std::string> read_relative_file(const std::string& config_source, const std::string& name,
                                              std::uint64_t max_bytes, std::string_view too_large,
                                              const std::string& key_path, ReadContext& context) {
  namespace fs = std::filesystem;
  fs::path path(name);
  if (path.is_relative()) path = fs::path(config_source).parent_path() / path;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    context.error_at(key_path, fmt::format("cannot read '{}': {}", path.string(), ec.message()));
    return std::nullopt;
  }
  if (size > max_bytes) {
    context.error_at(key_path, fmt::format("'{}' is {} bytes; {}", path.string(), size, too_large));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    context.error_at(key_path, fmt::format("cannot read '{}'", path.string()));
    return std::nullopt;
  }
  return text.str();
}

}  // namespace levee::config::detail
