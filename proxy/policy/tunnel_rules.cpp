#include "proxy/policy/tunnel_rules.h"

#include "proxy/policy/ascii.h"

#include <algorithm>

namespace levee::policy {
namespace {

// Calls `each` with every non-empty item of a comma-separated list; stops at the first false.
template <class Each>
bool for_each_item(std::string_view list, Each each) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view item = trim_ows(list.substr(0, comma));
    if (!item.empty() && !each(item)) return false;
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return true;
}

}  // namespace

std::optional<std::string> allowed_upgrade(const UpgradeAsk& ask, const std::vector<std::string>& allowed) {
  if (ask.version != 11 || ask.method != "GET" || ask.has_body || allowed.empty()) return std::nullopt;
  bool asks = false;
  for_each_item(ask.connection, [&](std::string_view token) {
    asks = ascii_iequals(token, "upgrade");
    return !asks;
  });
  if (!asks) return std::nullopt;
  bool any = false;
  const bool all_allowed = for_each_item(ask.upgrade, [&](std::string_view protocol) {
    any = true;
    const std::string_view name = protocol.substr(0, protocol.find('/'));
    return std::any_of(allowed.begin(), allowed.end(),
                       [&](const std::string& permitted) { return ascii_iequals(trim_ows(name), permitted); });
  });
  if (!any || !all_allowed) return std::nullopt;
  return std::string(trim_ows(ask.upgrade));
}

TimePoint tunnel_close_at(const TunnelTimes& times) {
  const TimePoint idle_end = times.last_activity + times.idle_timeout;
  return times.drain_close_at ? std::min(idle_end, *times.drain_close_at) : idle_end;
}

TimePoint drain_close_at(TimePoint now, Duration grace, Duration drain_timeout) {
  return now + std::clamp(grace, Duration::zero(), std::max(drain_timeout, Duration::zero()));
}

}  // namespace levee::policy
