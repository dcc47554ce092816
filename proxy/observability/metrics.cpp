#include "proxy/observability/metrics.h"

#include "proxy/policy/h2_abuse.h"

#include <algorithm>
#include <tuple>
#include <vector>

namespace levee::observability {
namespace {

constexpr std::array<const char*, status_class_count> status_class_names{"other", "1xx", "2xx", "3xx", "4xx", "5xx"};

// Latency buckets from 0.5 ms to 30 s: a sidecar's own replies sit at the bottom, a service's
// timeouts at the top.
constexpr std::array<double, 15> latency_bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                0.25,   0.5,   1,      2.5,   5,    10,    30};
prometheus::Histogram::BucketBoundaries latency_buckets() { return {latency_bounds.begin(), latency_bounds.end()}; }

RouteMetrics make_route(prometheus::Family<prometheus::Counter>& responses,
                        prometheus::Family<prometheus::Histogram>& durations,
                        prometheus::Family<prometheus::Counter>& abandoned, const std::string& route,
                        std::size_t workers) {
  std::array<prometheus::Counter*, status_class_count> by_class{};
  for (std::size_t i = 0; i < status_class_count; ++i)
    by_class[i] = &responses.Add({{"route", route}, {"code_class", status_class_names[i]}});
  return RouteMetrics(by_class, durations.Add({{"route", route}}, latency_buckets()), abandoned.Add({{"route", route}}),
                      workers);
}

}  // namespace

RouteMetrics::RouteMetrics(std::array<prometheus::Counter*, status_class_count> responses,
                           prometheus::Histogram& duration, prometheus::Counter& abandoned_requests,
                           std::size_t workers)
    : abandoned(&abandoned_requests),
      responses_(responses),
      duration_(&duration),
      shards_(std::make_unique<Shard[]>(workers)),
      workers_(workers) {
  static_assert(std::tuple_size_v<decltype(latency_bounds)> + 1 == bucket_count);
}

void RouteMetrics::record(std::size_t worker, unsigned status, double seconds) const {
  // One writer per shard: a load and a store, not a locked read-modify-write.
  const auto bump = [](std::atomic<std::uint64_t>& count) {
    count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  };
  Shard& shard = shards_[worker];
  bump(shard.responses[status >= 100 && status < 600 ? status / 100 : 0]);
  // The first bucket whose bound is not below the value, as prometheus::Histogram::Observe
  // counts it (the last, +Inf, when none is).
  const auto bound = std::lower_bound(latency_bounds.begin(), latency_bounds.end(), seconds);
  bump(shard.buckets[static_cast<std::size_t>(bound - latency_bounds.begin())]);
  shard.sum.store(shard.sum.load(std::memory_order_relaxed) + seconds, std::memory_order_relaxed);
}

void RouteMetrics::publish() {
  Published now;
  for (std::size_t w = 0; w < workers_; ++w) {
    const Shard& shard = shards_[w];
    for (std::size_t i = 0; i < status_class_count; ++i) now.responses[i] += shard.responses[i].load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < bucket_count; ++i) now.buckets[i] += shard.buckets[i].load(std::memory_order_relaxed);
    now.sum += shard.sum.load(std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < status_class_count; ++i)
    if (now.responses[i] > published_.responses[i])
      responses_[i]->Increment(static_cast<double>(now.responses[i] - published_.responses[i]));
  std::vector<double> new_in_bucket(bucket_count);
  bool any = false;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    new_in_bucket[i] = static_cast<double>(now.buckets[i] - published_.buckets[i]);
    any = any || new_in_bucket[i] > 0;
  }
  if (any) duration_->ObserveMultiple(new_in_bucket, std::max(now.sum - published_.sum, 0.0));
  published_ = now;
}

ProxyMetrics::ProxyMetrics(prometheus::Registry& registry, const std::vector<std::string>& routes,
                           const std::vector<std::string>& upstreams,
                           const std::vector<std::string_view>& error_kinds,
                           const std::vector<std::string>& health_checked_upstreams, std::size_t workers) {
  auto& responses = prometheus::BuildCounter()
                        .Name("levee_requests_total")
                        .Help("Requests answered, by route and status class")
                        .Register(registry);
  auto& durations = prometheus::BuildHistogram()
                        .Name("levee_request_duration_seconds")
                        .Help("Time from the request header to the end of the response, by route")
                        .Register(registry);
  auto& abandoned = prometheus::BuildCounter()
                        .Name("levee_abandoned_total")
                        .Help("Requests whose caller left while they were at the service (the exchange was aborted) "
                              "or whose answer came after the caller's deadline, by route")
                        .Register(registry);
  routes_.reserve(routes.size() + 1);
  for (const auto& route : routes) routes_.push_back(make_route(responses, durations, abandoned, route, workers));
  routes_.push_back(make_route(responses, durations, abandoned, "_unrouted", workers));

  auto& open = prometheus::BuildGauge()
                   .Name("levee_upstream_connections")
                   .Help("Connections open to the upstream, by state")
                   .Register(registry);
  auto& connects = prometheus::BuildCounter()
                       .Name("levee_upstream_connects_total")
                       .Help("New connections made to the upstream")
                       .Register(registry);
  auto& reuses = prometheus::BuildCounter()
                     .Name("levee_upstream_connection_reuses_total")
                     .Help("Requests sent on a pooled keep-alive connection")
                     .Register(registry);
  for (const auto& upstream : upstreams) {
    upstreams_.push_back(UpstreamMetrics{&open.Add({{"upstream", upstream}, {"state", "open"}}),
                                         &open.Add({{"upstream", upstream}, {"state", "idle"}}),
                                         &connects.Add({{"upstream", upstream}}),
                                         &reuses.Add({{"upstream", upstream}}), nullptr});
  }
  // Only checked upstreams get the series: an unchecked one is not known to be healthy.
  auto& healthy = prometheus::BuildGauge()
                      .Name("levee_upstream_healthy")
                      .Help("1 while the upstream's active health checks pass (upstreams[].health_check), else 0")
                      .Register(registry);
  for (std::size_t i = 0; i < upstreams.size(); ++i) {
    for (const auto& checked : health_checked_upstreams)
      if (checked == upstreams[i]) upstreams_[i].healthy = &healthy.Add({{"upstream", upstreams[i]}});
  }

  auto& errors = prometheus::BuildCounter()
                     .Name("levee_errors_total")
                     .Help("Requests that failed in levee or towards the upstream, by kind")
                     .Register(registry);
  for (const auto kind : error_kinds) errors_.push_back(&errors.Add({{"kind", std::string(kind)}}));

  // Not "levee_client_connections": OpenMetrics names the counter below by that family name
  // (a counter's family drops `_total`), and two families may not share a name.
  client_connections_open_ = &prometheus::BuildGauge()
                             .Name("levee_client_connections_open")
                             .Help("Client connections open now")
                             .Register(registry)
                             .Add({});
  client_connections_parked_ = &prometheus::BuildGauge()
                                    .Name("levee_client_connections_parked")
                                    .Help("Idle keep-alive client connections parked without a session (also open)")
                                    .Register(registry)
                                    .Add({});
  auto& accepted = prometheus::BuildCounter()
                       .Name("levee_client_connections_total")
                       .Help("Client connections accepted, and those refused over listener.max_connections "
                             "(rejected) or listener.max_connections_per_client (rejected_per_client)")
                       .Register(registry);
  client_connections_total_ = &accepted.Add({{"result", "accepted"}});
  client_connections_rejected_ = &accepted.Add({{"result", "rejected"}});
  client_connections_rejected_per_client_ = &accepted.Add({{"result", "rejected_per_client"}});
  in_flight_ = &prometheus::BuildGauge()
                    .Name("levee_in_flight_requests")
                    .Help("Requests between header read and response end")
                    .Register(registry)
                    .Add({});
  h2_connections_ = &prometheus::BuildCounter()
                         .Name("levee_h2_connections_total")
                         .Help("Client connections that spoke HTTP/2 (h2c or ALPN h2)")
                         .Register(registry)
                         .Add({});
  h2_streams_ = &prometheus::BuildCounter()
                     .Name("levee_h2_streams_total")
                     .Help("HTTP/2 request streams opened by clients")
                     .Register(registry)
                     .Add({});
  auto& abuse = prometheus::BuildCounter()
                    .Name("levee_h2_abuse_total")
                    .Help("HTTP/2 connections closed with GOAWAY ENHANCE_YOUR_CALM, by the rule the client broke")
                    .Register(registry);
  for (const auto rule : policy::all_h2_abuses) h2_abuse_.push_back(&abuse.Add({{"rule", std::string(policy::name(rule))}}));
}

void ProxyMetrics::publish() {
  for (auto& route : routes_) route.publish();
}

}  // namespace levee::observability
