#include "common/duration.h"

#include <array>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace levee::load {

namespace {

struct Unit {
  std::string_view suffix;
  double nanos;
};

// Longest suffixes first so "ms" is not read as "m" followed by junk.
constexpr std::array<Unit, 5> units{{
    {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}}};

}  // namespace

std::optional<Nanos> parse_duration(std::string_view text) {
  for (const Unit& unit : units) {
    if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
    std::string_view number = text.substr(0, text.size() - unit.suffix.size());
    // "5ms" also ends with "s": only accept when the number part is all numeric.
    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc{} || end != number.data() + number.size()) continue;
    if (!std::isfinite(value) || value < 0) return std::nullopt;
    double nanos = value * unit.nanos;
    if (nanos > 9e18) return std::nullopt;
    return Nanos{static_cast<std::int64_t>(std::llround(nanos))};
  }
  return std::nullopt;
}

std::string format_duration(Nanos d) {
  const std::int64_t n = d.count();
  if (n == 0) return "0s";
  if (n % 1'000'000'000 == 0) return fmt::format("{}s", n / 1'000'000'000);
  if (n % 1'000'000 == 0) return fmt::format("{}ms", n / 1'000'000);
  if (n % 1'000 == 0) return fmt::format("{}us", n / 1'000);
  return fmt::format("{}ns", n);
}

}  // namespace levee::load
