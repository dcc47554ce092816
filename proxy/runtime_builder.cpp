#include "proxy/runtime_builder.h"

#include <map>
#include <random>
#include <string>

#include "proxy/config/endpoint.h"
#include "proxy/http/flow_key.h"

namespace levee {

namespace {

// A route's retry allowance is carried over from `previous` (same index: reloads cannot add
// or remove routes) and reconfigured, so a reload neither refills nor empties a budget.
std::shared_ptr<policy::RetryAllowance> retry_allowance(const config::RouteConfig& route, std::size_t index,
                                                        const http::ProxyRuntime* previous, policy::TimePoint now) {
  if (route.retry.attempts <= 1) return nullptr;
  auto kept = previous && index < previous->routes.size() ? previous->routes[index].retry : nullptr;
  if (kept) kept->reconfigure(route.retry.budget, now);
  else kept = std::make_shared<policy::RetryAllowance>(route.retry.budget, now);
  return kept;
}

// Each group's flow key rule (null while its fairness is off), built once per configuration:
// the routes of a shared group share one.
std::map<std::string, std::shared_ptr<const http::FlowKeyRule>, std::less<>> flow_key_rules(
    const config::Config& config, const policy::FlowHashKey& secret) {
  std::map<std::string, std::shared_ptr<const http::FlowKeyRule>, std::less<>> rules;
  for (const auto& group : config.admission.groups)
    rules.emplace(group.name, http::make_flow_key_rule(group.settings.fairness, secret));
  return rules;
}

}  // namespace

policy::FlowHashKey random_flow_hash_key() {
  std::random_device device;
  policy::FlowHashKey key;
  for (auto& word : key.words) word = (std::uint64_t{device()} << 32) | device();
  return key;
}

// One http::Route per configured route, in config order (the router's matches index them).
std::shared_ptr<const http::ProxyRuntime> build_runtime(std::shared_ptr<const config::Config> config,
                                                        std::vector<std::shared_ptr<http::AdmissionGate>> gates,
                                                        const observability::ProxyMetrics& metrics,
                                                        const policy::FlowHashKey& flow_secret,
                                                        const http::ProxyRuntime* previous, policy::TimePoint now,
                                                        std::shared_ptr<const http::AccessLog> access_log,
                                                        std::shared_ptr<boost::asio::ssl::context> tls) {
  const auto rules = flow_key_rules(*config, flow_secret);
  std::vector<policy::RouteMatch> matches;
  std::vector<http::Route> routes;
  for (std::size_t r = 0; r < config->routes.size(); ++r) {
    const auto& route = config->routes[r];
    matches.push_back({route.host, route.path_prefix});
    http::Route built;
    built.index = r;
    built.config = &route;
    for (std::size_t u = 0; u < config->upstreams.size(); ++u)
      if (config->upstreams[u].name == route.upstream) built.upstream = u;
    built.upstream_authority = config::format_endpoint(config->upstreams[built.upstream].address);
    built.gate = std::move(gates[r]);
    if (built.gate) {
      if (const auto rule = rules.find(route.admission_group); rule != rules.end()) built.flow_key = rule->second;
    }
    built.retry = retry_allowance(route, r, previous, now);
    built.metrics = &metrics.route(r);
    routes.push_back(std::move(built));
  }
  return std::make_shared<const http::ProxyRuntime>(
      http::ProxyRuntime{std::move(config), policy::Router(std::move(matches)), std::move(routes),
                         std::move(access_log), std::move(tls)});
}

}  // namespace levee
