#pragma once
// A request's priority class. Lower classes are shed first; critical traffic keeps a reserved
// share of the limit. The order of the enumerators is the order of service (critical first),
// and name() is the metric label and the configuration word.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace levee::policy {

enum class Priority : std::uint8_t {
  critical,   // must get through (health of the business: checkout, login); may use the reserve
  normal,     // ordinary traffic ("default" in configuration)
  sheddable,  // nice to have (prefetch, analytics); shed first, never queued under pressure
};

inline constexpr std::array all_priorities{Priority::critical, Priority::normal,
                                           Priority::sheddable};
inline constexpr std::size_t priority_count = all_priorities.size();

constexpr std::string_view name(Priority priority) {
  switch (priority) {
    case Priority::critical: return "critical";
    case Priority::normal: return "default";
    case Priority::sheddable: return "sheddable";
  }
  return "unknown";
}

// The configuration word -> class ("default" and "normal" both mean Priority::normal).
constexpr std::optional<Priority> parse_priority(std::string_view word) {
  if (word == "critical") return Priority::critical;
  if (word == "default" || word == "normal") return Priority::normal;
  if (word == "sheddable") return Priority::sheddable;
  return std::nullopt;
}

constexpr std::size_t index(Priority priority) { return static_cast<std::size_t>(priority); }

// The class a request gets when its sender claims `claimed` on a route of class `route`. Anyone
// may lower their class: that only makes them cheaper to shed. Raising it takes capacity from
// everyone else (the whole limit, the critical reserve, other waiters' places in the queue), so
// only a sender levee trusts may do that.
constexpr Priority claimable_priority(Priority route, Priority claimed, bool sender_trusted) {
  return sender_trusted || index(claimed) >= index(route) ? claimed : route;
}

}  // namespace levee::policy
