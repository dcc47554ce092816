#include "proxy/config/cpu_list.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace levee::config {

namespace {

// One CPU number, the whole of `text`; nullopt when it is not one.
std::optional<unsigned> cpu_number(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::variant<std::vector<unsigned>, std::string> parse_cpu_list(std::string_view text) {
  if (text.empty()) return std::string("expected a CPU list such as 0-3,6, got nothing");
  std::vector<unsigned> cpus;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    const std::size_t dash = item.find('-');
    const auto first = cpu_number(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : cpu_number(item.substr(dash + 1));
    if (!first || !last)
      return fmt::format("expected a CPU list such as 0-3,6 (CPU numbers and ranges, commas between), got '{}'",
                         text);
    if (*first > *last) return fmt::format("the range {} runs backwards in '{}'", item, text);
    if (*last > max_cpu_number) return fmt::format("CPU {} is beyond {} in '{}'", *last, max_cpu_number, text);
    for (unsigned cpu = *first; cpu <= *last; ++cpu) cpus.push_back(cpu);
    start = comma + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<unsigned>& cpus) {
  std::string text;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!text.empty()) text += ',';
    text += j == i ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return text;
}

}  // namespace levee::config
