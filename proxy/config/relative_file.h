#pragma once
// A file the config names (the sorry page, a secret): read whole at load time, relative to the
// config file's directory so a config works from any working directory.
//
// Internal to the loader.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/config/read_context.h"

namespace levee::config::detail {

// The file's bytes, or nullopt with an error at `key_path`: unreadable, or larger than
// `max_bytes` (`too_large` says why that bound exists, e.g. "a sorry page must stay under 1MiB").
std::optional<std::string> read_relative_file(const std::string& config_source, const std::string& name,
                                              std::uint64_t max_bytes, std::string_view too_large,
                                              const std::string& key_path, ReadContext& context);

}  // namespace levee::config::detail
