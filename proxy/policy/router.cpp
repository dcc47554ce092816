#include "proxy/policy/router.h"

#include "proxy/policy/ascii.h"

#include <algorithm>

namespace levee::policy {
namespace {

std::string_view strip_port(std::string_view host) {
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool prefix_matches(std::string_view prefix, std::string_view path) {
  if (!path.starts_with(prefix)) return false;
  if (prefix.size() == path.size() || prefix.ends_with('/')) return true;
  const char next = path[prefix.size()];
  return next == '/' || next == '?';
}

}  // namespace

std::string normalize_host(std::string_view host) {
  std::string out(strip_port(host));
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

Router::Router(std::vector<RouteMatch> routes) {
  entries_.reserve(routes.size());
  for (std::size_t i = 0; i < routes.size(); ++i) {
    routes[i].host = normalize_host(routes[i].host);
    entries_.push_back(Entry{std::move(routes[i]), i});
  }
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    if (a.match.path_prefix.size() != b.match.path_prefix.size())
      return a.match.path_prefix.size() > b.match.path_prefix.size();
    return !a.match.host.empty() && b.match.host.empty();
  });
}

std::optional<std::size_t> Router::match(std::string_view host, std::string_view path) const {
  // No allocation: this runs for every request.
  const std::string_view wanted_host = strip_port(host);
  for (const Entry& entry : entries_) {
    if (!entry.match.host.empty() && !ascii_iequals(entry.match.host, wanted_host)) continue;
    if (prefix_matches(entry.match.path_prefix, path)) return entry.index;
  }
  return std::nullopt;
}

}  // namespace levee::policy
