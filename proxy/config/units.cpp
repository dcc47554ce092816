#include "proxy/config/units.h"

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

namespace levee::config {
namespace {

using Wide = unsigned __int128;  // mantissa * unit can exceed 64 bits before the division

struct Unit {
  std::string_view suffix;
  std::uint64_t scale;  // in nanoseconds or bytes
};

constexpr std::uint64_t kNs = 1;
constexpr std::uint64_t kUs = 1000 * kNs;
constexpr std::uint64_t kMs = 1000 * kUs;
constexpr std::uint64_t kSec = 1000 * kMs;
constexpr std::uint64_t kMin = 60 * kSec;
constexpr std::uint64_t kHour = 60 * kMin;

// Largest first: format_* walks this order, so ties go to the larger unit.
constexpr std::array kDurationUnits{Unit{"h", kHour}, Unit{"m", kMin},  Unit{"s", kSec},
                                    Unit{"ms", kMs},  Unit{"us", kUs},  Unit{"ns", kNs}};

// The binary units are spelled out here rather than taken from config.h (which has the same
// values): this file builds without the config structs, see units.h.
constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::uint64_t kGiB = 1024 * kMiB;
constexpr std::uint64_t kDecimal = 1000;
constexpr std::array kSizeUnits{
    Unit{"TiB", 1024 * kGiB},  Unit{"TB", kDecimal * kDecimal * kDecimal * kDecimal},
    Unit{"GiB", kGiB},         Unit{"GB", kDecimal * kDecimal * kDecimal},
    Unit{"MiB", kMiB},         Unit{"MB", kDecimal * kDecimal},
    Unit{"KiB", kKiB},         Unit{"KB", kDecimal},
    Unit{"", 1}};

// "1.25" -> {125, 2}. Digits are required on both sides of a '.'; no sign, no exponent.
struct Decimal {
  Wide mantissa = 0;
  unsigned fraction_digits = 0;
};

// Enough digits for any value that fits in 64 bits after scaling, few enough that the
// mantissa cannot overflow 128 bits.
constexpr std::size_t kMaxDigits = 30;

// Splits text into a decimal number and the unit that follows it.
std::optional<Decimal> parse_decimal(std::string_view text, std::string_view& unit) {
  Decimal out;
  std::size_t i = 0;
  std::size_t digits = 0;
  bool in_fraction = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !in_fraction && digits > 0) {
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (++digits > kMaxDigits) return std::nullopt;
    out.mantissa = out.mantissa * 10 + static_cast<unsigned>(c - '0');
    if (in_fraction) ++out.fraction_digits;
  }
  if (digits == 0 || text[i - 1] == '.') return std::nullopt;
  unit = text.substr(i);
  return out;
}

// mantissa * scale / 10^fraction_digits, when exact and no larger than max.
std::optional<std::uint64_t> apply_scale(const Decimal& number, std::uint64_t scale,
                                         std::uint64_t max) {
  Wide divisor = 1;
  for (unsigned i = 0; i < number.fraction_digits; ++i) divisor *= 10;
  if (number.mantissa > std::numeric_limits<Wide>::max() / scale) return std::nullopt;
  const Wide product = number.mantissa * scale;
  if (product % divisor != 0) return std::nullopt;
  const Wide value = product / divisor;
  if (value > max) return std::nullopt;
  return static_cast<std::uint64_t>(value);
}

template <std::size_t N>
const Unit* find_unit(const std::array<Unit, N>& units, std::string_view suffix) {
  for (const Unit& unit : units) {
    if (unit.suffix == suffix) return &unit;
  }
  return nullptr;
}

// value/scale written in decimal, or empty when the fraction does not terminate within the
// digits a parse can read back.
std::string exact_decimal(std::uint64_t value, std::uint64_t scale) {
  std::string out = std::to_string(value / scale);
  std::uint64_t rest = value % scale;
  if (rest == 0) return out;
  out += '.';
  for (int digits = 0; rest != 0; ++digits) {
    if (digits == 18) return {};
    const Wide next = static_cast<Wide>(rest) * 10;
    out += static_cast<char>('0' + static_cast<int>(next / scale));
    rest = static_cast<std::uint64_t>(next % scale);
  }
  return out;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text == "0") return Duration::zero();
  std::string_view suffix;
  const std::optional<Decimal> number = parse_decimal(text, suffix);
  if (!number) return std::nullopt;
  if (suffix == "µs") suffix = "us";
  const Unit* unit = find_unit(kDurationUnits, suffix);
  if (unit == nullptr) return std::nullopt;
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());
  const std::optional<std::uint64_t> ns = apply_scale(*number, unit->scale, max);
  if (!ns) return std::nullopt;
  return Duration(static_cast<Duration::rep>(*ns));
}

std::optional<Duration> parse_duration_at_most(std::string_view text, Duration max) {
  if (text == "0") return Duration::zero();
  std::string_view suffix;
  const std::optional<Decimal> number = parse_decimal(text, suffix);
  if (!number) return std::nullopt;
  if (suffix == "µs") suffix = "us";
  const Unit* unit = find_unit(kDurationUnits, suffix);
  if (unit == nullptr) return std::nullopt;
  const auto limit = static_cast<std::uint64_t>(std::max(max, Duration::zero()).count());
  Wide divisor = 1;
  for (unsigned i = 0; i < number->fraction_digits; ++i) divisor *= 10;
  // The whole units alone exceed the bound: decided before any product that could overflow.
  if (number->mantissa / divisor > limit / unit->scale) return Duration(static_cast<Duration::rep>(limit));
  // Now the value is below (whole + 1) units, far inside 64 bits; nullopt only when inexact.
  const std::optional<std::uint64_t> ns = apply_scale(*number, unit->scale, std::numeric_limits<std::uint64_t>::max());
  if (!ns) return std::nullopt;
  return Duration(static_cast<Duration::rep>(std::min(*ns, limit)));
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::string_view suffix;
  const std::optional<Decimal> number = parse_decimal(text, suffix);
  if (!number) return std::nullopt;
  if (suffix == "B") suffix = "";
  if (suffix == "kB") suffix = "KB";
  const Unit* unit = find_unit(kSizeUnits, suffix);
  if (unit == nullptr) return std::nullopt;
  return apply_scale(*number, unit->scale, std::numeric_limits<std::uint64_t>::max());
}

std::string format_duration(Duration duration) {
  if (duration == Duration::zero()) return "0s";
  const bool negative = duration < Duration::zero();
  // Negative durations never come out of the loader; spell them anyway rather than wrap.
  const std::uint64_t ns = negative ? 0 - static_cast<std::uint64_t>(duration.count())
                                    : static_cast<std::uint64_t>(duration.count());
  std::string best;
  bool best_is_integer = false;
  for (const Unit& unit : kDurationUnits) {
    std::string number = exact_decimal(ns, unit.scale);
    if (number.empty()) continue;
    std::string candidate = fmt::format("{}{}", number, unit.suffix);
    const bool is_integer = ns % unit.scale == 0;
    const bool better = best.empty() || candidate.size() < best.size() ||
                        (candidate.size() == best.size() && is_integer && !best_is_integer);
    if (better) {
      best = std::move(candidate);
      best_is_integer = is_integer;
    }
  }
  return negative ? fmt::format("-{}", best) : best;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  std::string best;
  for (const Unit& unit : kSizeUnits) {
    if (bytes % unit.scale != 0) continue;
    std::string candidate = fmt::format("{}{}", bytes / unit.scale, unit.suffix);
    if (best.empty() || candidate.size() < best.size()) best = std::move(candidate);
  }
  return best;
}

}  // namespace levee::config
