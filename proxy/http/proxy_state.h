#pragma once
// The state a client session reads, split by who owns it:
// - ProxyRuntime: immutable, built from one Config; a reload publishes a new one and requests
//   in flight keep the one they started with (they hold the shared_ptr).
// - Worker: touched only by its own thread (no locks): upstream pools, the sessions to drain.
// - ProxyShared: process-wide, thread-safe (atomics, the metrics).

#include "proxy/config/config.h"
#include "proxy/http/client_watch.h"
#include "proxy/http/field_pool.h"
#include "proxy/http/per_worker_count.h"
#include "proxy/http/route.h"
#include "proxy/http/upstream_pool.h"
#include "proxy/observability/metrics.h"
#include "proxy/policy/connections_per_client.h"
#include "proxy/policy/random.h"
#include "proxy/policy/router.h"
#include "proxy/policy/tunnel_ledger.h"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace levee::observability {
class RetryMetrics;
class TunnelMetrics;
class TlsMetrics;
}

namespace levee::http {

class AccessLog;
class ClientSession;
class ParkedConnection;

struct ProxyRuntime {
  std::shared_ptr<const config::Config> config;
  policy::Router router;      // matches index into routes
  std::vector<Route> routes;  // one per config->routes entry, same order
  // Null when the access log is off. Here rather than in ProxyShared so that a reopen
  // (SIGUSR1) or a reload that moves the log is published like any reload: a request keeps
  // the log it started with, and no worker ever takes a lock for it (access_log.h).
  std::shared_ptr<const AccessLog> access_log;
  // The listener's SSL context (http/tls_context.h); null: plain HTTP. Built with each
  // runtime, so a reload re-reads the certificate; a session takes it once, at accept.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

struct Worker {
  Worker(boost::asio::io_context& io, std::size_t worker_index, std::uint64_t seed)
      : context(io), index(worker_index), random(seed) {}
  boost::asio::io_context& context;
  std::size_t index;  // 0..threads-1: this worker's slot in every PerWorkerCount
  // This worker's own generator (request ids): seeded at start, touched by no other thread,
  // so ids cost no shared cache line.
  policy::SplitMixRandom random;
  // Memory for parsed header fields, reused from request to request (field_pool.h). Outlives
  // the worker's io_context, which destroys pending coroutines and the parsers in them.
  FieldPool fields;
  std::vector<std::unique_ptr<UpstreamPool>> pools;  // by upstream index
  std::unordered_set<ClientSession*> sessions;       // open on this worker, for drain
  std::unordered_set<ParkedConnection*> parked;      // idle connections without a session, for drain
  ClientWatchList client_watches;                    // clients whose requests are at the service
  // This worker's copy of the running ProxyRuntime and the version it was read at.
  std::shared_ptr<const ProxyRuntime> runtime;
  std::uint64_t runtime_version = 0;
};

// Where a reload publishes the running ProxyRuntime. Not std::atomic<std::shared_ptr>: GCC 12's
// load() unlocks with relaxed order, a data race with the next store (ThreadSanitizer sees it).
// A mutex guards the pointer; a version number lets each worker keep its own copy and lock
// only after a reload, so a request costs one acquire load here.
class RuntimeSlot {
 public:
  std::shared_ptr<const ProxyRuntime> load() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void store(std::shared_ptr<const ProxyRuntime> next) {
    std::lock_guard lock(mu_);
    current_ = std::move(next);
    version_.fetch_add(1, std::memory_order_release);
  }
  // The copy `worker` holds, refreshed when a newer runtime was published. Only ever called
  // on the worker's own thread. The reference is good until that thread's next call: a caller
  // that suspends copies it.
  const std::shared_ptr<const ProxyRuntime>& current(Worker& worker) const {
    const auto version = version_.load(std::memory_order_acquire);
    if (version != worker.runtime_version) {
      worker.runtime = load();
      worker.runtime_version = version;
    }
    return worker.runtime;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ProxyRuntime> current_;
  std::atomic<std::uint64_t> version_{1};  // a Worker starts at 0: its first call loads
};

struct ProxyShared {
  ProxyShared(observability::ProxyMetrics& m, const policy::Clock& c, std::uint64_t seed, std::size_t workers)
      : metrics(m), clock(c), random(seed), in_flight(workers) {}

  std::shared_ptr<const ProxyRuntime> runtime() const { return runtime_.load(); }
  // On a worker's thread: its own copy, without a lock or a reference count (see RuntimeSlot).
  const std::shared_ptr<const ProxyRuntime>& runtime(Worker& worker) const { return runtime_.current(worker); }
  void set_runtime(std::shared_ptr<const ProxyRuntime> next) { runtime_.store(std::move(next)); }

  observability::ProxyMetrics& metrics;
  const observability::RetryMetrics* retry_metrics = nullptr;  // null: retries not counted
  // Upgrade tunnels open, by route (owned by the server); null: upgrades are never relayed.
  policy::TunnelLedger* tunnels = nullptr;
  const observability::TunnelMetrics* tunnel_metrics = nullptr;  // null: tunnels not counted
  observability::TlsMetrics* tls_metrics = nullptr;  // null: handshakes not counted
  const policy::Clock& clock;
  policy::SplitMixRandom random;  // Retry-After and retry back-off jitter; thread-safe
  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> open_connections{0};
  // Requests at the service now (levee_in_flight_requests, set from it at scrape time).
  PerWorkerCount in_flight;
  policy::ConnectionsPerClient connections_per_client;  // counted only with the cap on

 private:
  RuntimeSlot runtime_;
};

}  // namespace levee::http
