#include "proxy/policy/grpc_timeout.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>

namespace levee::policy {
namespace {

constexpr std::size_t max_digits = 8;
constexpr std::int64_t max_value = 99'999'999;

struct Unit {
  char name;
  std::int64_t nanoseconds;
};

// Finest first, the order format_grpc_timeout tries them in.
constexpr std::array<Unit, 6> units{{
    {'n', 1},
    {'u', 1'000},
    {'m', 1'000'000},
    {'S', 1'000'000'000},
    {'M', 60'000'000'000},
    {'H', 3'600'000'000'000},
}};

}  // namespace

std::optional<Duration> parse_grpc_timeout(std::string_view value) {
  if (value.size() < 2 || value.size() > max_digits + 1) return std::nullopt;
  const char unit_name = value.back();
  const std::string_view digits = value.substr(0, value.size() - 1);
  std::int64_t count = 0;
  for (const char ch : digits) {
    if (ch < '0' || ch > '9') return std::nullopt;
    count = count * 10 + (ch - '0');
  }
  for (const Unit& unit : units) {
    if (unit.name != unit_name) continue;
    if (count > std::numeric_limits<Duration::rep>::max() / unit.nanoseconds) return Duration::max();
    return Duration(count * unit.nanoseconds);
  }
  return std::nullopt;
}

std::string format_grpc_timeout(Duration remaining) {
  const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(remaining).count();
  if (ns <= 0) return "0n";
  for (const Unit& unit : units) {
    const std::int64_t count = ns / unit.nanoseconds + (ns % unit.nanoseconds != 0 ? 1 : 0);
    if (count <= max_value) return std::to_string(count) + unit.name;
  }
  return std::to_string(max_value) + 'H';
}

}  // namespace levee::policy
