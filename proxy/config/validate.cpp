#include "proxy/config/validate.h"

#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "proxy/config/admission_sections.h"
#include "proxy/config/http2_section.h"
#include "proxy/config/suggest.h"
#include "proxy/config/tls_section.h"
#include "proxy/config/trust_sections.h"

namespace levee::config::detail {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "(first at line 3)" when the earlier occurrence has a known position.
std::string first_at(const ReadContext& context, const std::string& key_path) {
  const std::optional<YAML::Mark> mark = context.location(key_path);
  if (!mark || mark->is_null()) return "";
  return fmt::format(" (first on line {})", mark->line + 1);
}

// Names are labels in metrics and logs: two items with one name would merge their series.
template <typename Item>
void check_unique_names(const std::vector<Item>& items, std::string_view list,
                        ReadContext& context) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].name.empty()) continue;  // already reported as missing or invalid
    for (std::size_t j = 0; j < i; ++j) {
      if (items[j].name != items[i].name) continue;
      const std::string first = fmt::format("{}[{}].name", list, j);
      context.error_at(fmt::format("{}[{}].name", list, i),
                       fmt::format("duplicate name '{}'{}", items[i].name, first_at(context, first)));
      break;
    }
  }
}

void check_route_upstreams(Config& config, ReadContext& context) {
  std::vector<std::string> names;
  for (const UpstreamConfig& upstream : config.upstreams) names.push_back(upstream.name);
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    RouteConfig& route = config.routes[i];
    const std::string path = fmt::format("routes[{}].upstream", i);
    if (route.upstream.empty()) {
      if (config.upstreams.size() == 1) {
        route.upstream = config.upstreams.front().name;
      } else {
        context.error_at(path, "missing; required when more than one upstream is configured");
      }
      continue;
    }
    if (std::find(names.begin(), names.end(), route.upstream) != names.end()) continue;
    std::string message = fmt::format("no upstream named '{}'", route.upstream);
    if (auto near = closest(route.upstream, names)) {
      message += fmt::format("; did you mean '{}'?", *near);
    } else {
      message += fmt::format(" (upstreams: {})", fmt::join(names, ", "));
    }
    context.error_at(path, std::move(message));
  }
}

// The router takes the first of two routes with equal host and prefix; the second would be
// dead configuration that looks live.
void check_unreachable_routes(const Config& config, ReadContext& context) {
  const auto& routes = config.routes;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (lowercase(routes[i].host) != lowercase(routes[j].host) ||
          routes[i].path_prefix != routes[j].path_prefix) {
        continue;
      }
      context.error_at(fmt::format("routes[{}].path_prefix", i),
                       fmt::format("same host and path_prefix as route '{}'; this route would "
                                   "never match",
                                   routes[j].name));
      break;
    }
  }
}

}  // namespace

void finalize(Config& config, ReadContext& context) {
  if (config.upstreams.empty()) {
    UpstreamConfig service;
    service.name = "service";
    service.address = Endpoint{"127.0.0.1", 8081};
    config.upstreams.push_back(std::move(service));
  }
  if (config.routes.empty()) {
    RouteConfig route;
    route.name = "default";
    route.upstream = config.upstreams.front().name;
    config.routes.push_back(std::move(route));
  }
  check_unique_names(config.upstreams, "upstreams", context);
  check_unique_names(config.routes, "routes", context);
  check_route_upstreams(config, context);
  check_unreachable_routes(config, context);
  finalize_admission(config, context);
  finalize_http2(config, context);
  finalize_trust(config, context);
  finalize_admin_token(config, context);
  finalize_tls(config, context);
}

}  // namespace levee::config::detail
