#pragma once
// Every metric levee exports, declared once and created at start (prometheus-cpp's Family::Add
// takes a lock, so the request path only ever increments series that already exist). The
// registry is passed in, never global. Gauges that mirror state owned elsewhere (upstream
// connection counts) are refreshed at scrape time through `refresh`, not on the request path.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <functional>
#include <string>
#include <vector>

namespace levee::observability {

// Status classes 1xx..5xx; index 0 collects anything else (and requests with no response).
inline constexpr std::size_t status_class_count = 6;

// One route's request series: levee_requests_total by status class and
// levee_request_duration_seconds. Every answered request counts here, so the request path
// writes only its worker's shard (a slot on cache lines of its own, one writer, no
// compare-and-swap on a line another worker writes too); publish() adds what the shards
// counted since the last scrape to the prometheus series.
class RouteMetrics {
 public:
  RouteMetrics(std::array<prometheus::Counter*, status_class_count> responses, prometheus::Histogram& duration,
               prometheus::Counter& abandoned, std::size_t workers);

  // Only from worker `worker`'s thread.
  void record(std::size_t worker, unsigned status, double seconds) const;
  // On one thread at a time (the scrape's).
  void publish();

  prometheus::Counter* abandoned = nullptr;  // levee_abandoned_total (rare: counted directly)

 private:
  static constexpr std::size_t bucket_count = 16;  // latency_buckets() and +Inf
  struct alignas(64) Shard {
    std::array<std::atomic<std::uint64_t>, status_class_count> responses{};
    std::array<std::atomic<std::uint64_t>, bucket_count> buckets{};
    std::atomic<double> sum{0};
  };
  struct Published {
    std::array<std::uint64_t, status_class_count> responses{};
    std::array<std::uint64_t, bucket_count> buckets{};
    double sum = 0;
  };

  std::array<prometheus::Counter*, status_class_count> responses_{};
  prometheus::Histogram* duration_ = nullptr;
  std::unique_ptr<Shard[]> shards_;
  std::size_t workers_ = 0;
  Published published_;
};

struct UpstreamMetrics {
  prometheus::Gauge* open_connections = nullptr;
  prometheus::Gauge* idle_connections = nullptr;
  prometheus::Counter* connects = nullptr;
  prometheus::Counter* reuses = nullptr;
  prometheus::Gauge* healthy = nullptr;  // levee_upstream_healthy; null without health checks
};

class ProxyMetrics {
 public:
  // Error kinds are the label values of levee_errors_total; the caller's enum names them.
  ProxyMetrics(prometheus::Registry& registry, const std::vector<std::string>& routes,
               const std::vector<std::string>& upstreams, const std::vector<std::string_view>& error_kinds,
               const std::vector<std::string>& health_checked_upstreams = {}, std::size_t workers = 1);

  const RouteMetrics& route(std::size_t index) const { return routes_[index]; }
  const RouteMetrics& unrouted() const { return routes_.back(); }
  // Brings the request series up to what the workers counted (RouteMetrics); before a scrape.
  void publish();
  UpstreamMetrics& upstream(std::size_t index) { return upstreams_[index]; }
  prometheus::Counter& error(std::size_t kind) const { return *errors_[kind]; }

  prometheus::Gauge& client_connections_open() const { return *client_connections_open_; }
  // Idle keep-alive connections parked without a session (http/parked_connection.h); also
  // counted in client_connections_open.
  prometheus::Gauge& client_connections_parked() const { return *client_connections_parked_; }
  prometheus::Counter& client_connections_total() const { return *client_connections_total_; }
  prometheus::Counter& client_connections_rejected() const { return *client_connections_rejected_; }
  prometheus::Counter& client_connections_rejected_per_client() const {
    return *client_connections_rejected_per_client_;
  }
  // Set at scrape time from ProxyShared::in_flight, which the request path counts per worker.
  prometheus::Gauge& in_flight() const { return *in_flight_; }
  // HTTP/2 on the listener: connections and streams (each stream is one request, also counted
  // in the route's series), and connections closed for breaking an abuse rule, by rule
  // (index: policy::H2Abuse).
  prometheus::Counter& h2_connections() const { return *h2_connections_; }
  prometheus::Counter& h2_streams() const { return *h2_streams_; }
  prometheus::Counter& h2_abuse(std::size_t rule) const { return *h2_abuse_[rule]; }

 private:
  std::vector<RouteMetrics> routes_;  // by route index, then the unrouted series
  std::vector<UpstreamMetrics> upstreams_;
  std::vector<prometheus::Counter*> errors_;
  prometheus::Gauge* client_connections_open_ = nullptr;
  prometheus::Gauge* client_connections_parked_ = nullptr;
  prometheus::Counter* client_connections_total_ = nullptr;
  prometheus::Counter* client_connections_rejected_ = nullptr;
  prometheus::Counter* client_connections_rejected_per_client_ = nullptr;
  prometheus::Gauge* in_flight_ = nullptr;
  prometheus::Counter* h2_connections_ = nullptr;
  prometheus::Counter* h2_streams_ = nullptr;
  std::vector<prometheus::Counter*> h2_abuse_;
};

}  // namespace levee::observability
