#pragma once
// Request-target helpers for the backend's tiny router. Pure.

#include <cstdint>
#include <optional>
#include <string_view>

namespace levee::load {

struct Target {
  std::string_view path;
  std::string_view query;  // without '?'
};

Target split_target(std::string_view target);

// Value of `name` in "a=1&b=2"; no percent-decoding (the backend's parameters are numbers).
std::optional<std::string_view> query_param(std::string_view query, std::string_view name);

// Unsigned number parameter; nullopt when absent or not a number.
std::optional<std::uint64_t> query_number(std::string_view query, std::string_view name);

}  // namespace levee::load
