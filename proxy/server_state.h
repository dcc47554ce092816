#pragma once
// Server::State: what a running levee owns, and the operations its control thread, signals and
// worker timers run on it. Private to the server, in three rooms: server.cpp builds it, starts
// the threads and tears it down; server_state.cpp reloads, reopens the access log, runs the
// workers' maintenance and the drain; server_views.cpp renders what the admin endpoints show
// (/metrics, /state's sections).

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <prometheus/registry.h>
#include <spdlog/async.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/admin/admin_server.h"
#include "proxy/config/config.h"
#include "proxy/cpu_quota.h"
#include "proxy/health/health_checker.h"
#include "proxy/http/access_log.h"
#include "proxy/http/admission_groups.h"
#include "proxy/http/admission_ticker.h"
#include "proxy/http/listener.h"
#include "proxy/http/proxy_state.h"
#include "proxy/http/tls_context.h"
#include "proxy/http/worker_pool.h"
#include "proxy/observability/metrics.h"
#include "proxy/observability/process_metrics.h"
#include "proxy/observability/reload_metrics.h"
#include "proxy/observability/retry_metrics.h"
#include "proxy/observability/state_document.h"
#include "proxy/observability/tls_metrics.h"
#include "proxy/observability/tunnel_metrics.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/tunnel_ledger.h"
#include "proxy/server.h"

namespace levee {

struct Server::State {
  State(std::shared_ptr<const config::Config> cfg, ServerOptions opts);

  std::shared_ptr<const config::Config> config;
  ServerOptions options;
  policy::SteadyClock clock;  // the one real clock; everything else is handed it
  const WorkerThreads worker_threads;  // how many, and why (logged at start)
  std::unique_ptr<http::WorkerPool> workers;  // reset before the state its handlers use
  prometheus::Registry registry;
  observability::ProxyMetrics metrics;
  observability::RetryMetrics retry_metrics;
  observability::ReloadMetrics reload_metrics;
  observability::ProcessCollector process_metrics;  // process_*, read from /proc at scrape time
  observability::TunnelMetrics tunnel_metrics;
  observability::TlsMetrics tls_metrics;
  policy::TunnelLedger tunnels;  // routes keep their index across reloads, so one ledger serves all
  http::ProxyShared shared;
  http::AdmissionGroups groups;
  const policy::FlowHashKey flow_secret;  // one per process: flow ids stay stable across reloads
  // The control thread: admin endpoints, reloads (they read files) and signals, so none of
  // that ever runs on a proxy worker.
  boost::asio::io_context control{1};
  // The admission tick (queue expiry, CoDel, deadlines) on a thread of its own: a slow
  // /metrics scrape or an admin flood on the control thread must not delay it.
  boost::asio::io_context ticker{1};
  std::unique_ptr<http::AdmissionTicker> admission_ticker;  // set before the workers start
  std::vector<std::unique_ptr<http::UpstreamShared>> upstream_shared;
  std::vector<std::unique_ptr<http::Worker>> worker_states;
  std::unique_ptr<http::Listener> listener;
  std::unique_ptr<admin::AdminServer> admin;
  std::unique_ptr<health::HealthChecker> health;  // on the control thread, like /readyz
  std::vector<std::unique_ptr<boost::asio::steady_timer>> maintenance_timers;
  std::unique_ptr<boost::asio::signal_set> signals;
  std::shared_ptr<spdlog::details::thread_pool> log_threads;  // started with the first access log
  std::promise<void> stopped;
  bool drain_started = false;

  // Reload and the access log (server_state.cpp).

  // SIGHUP and POST /reload: re-read the config file; apply it only if all of it is valid and
  // it changes nothing that needs a restart. Runs on the control thread.
  admin::AdminReply reload();
  admin::AdminReply try_reload();  // reload() without counting it
  // The listener's SSL context for `tls` (none when TLS is off), its certificate's expiry
  // published. Control thread (or start).
  http::ServerTlsContext build_tls(const config::ListenerConfig& listener);
  // Publishes `next` and has each worker pick it up now rather than at its next request: an
  // idle worker would otherwise keep the old runtime, and with it the old access-log file
  // open, indefinitely (after logrotate, a deleted file still taking disk space).
  void publish(std::shared_ptr<const http::ProxyRuntime> next);
  // Opens `logging`'s access log, if any, on the one log thread every access logger shares;
  // that thread starts with the first log opened, so a levee without one runs no log thread.
  // Control thread (or start, before it runs).
  http::OpenedAccessLog open_access_log(const config::LoggingConfig& logging);
  // SIGUSR1, logrotate's convention: after the file was moved aside, write to a fresh one at the
  // configured path. The new log is published as a copy of the running runtime; requests in
  // flight finish their lines in the old file. If the file cannot be opened, the old one stays.
  // Runs on the control thread.
  void reopen_access_log();

  // The workers' timers, readiness and the drain (server_state.cpp).

  // Every second on each worker: idle upstream connections swept; idle client connections give
  // their buffers back, then park (client_session.h).
  void start_maintenance(http::Worker& worker, boost::asio::steady_timer& timer);
  // Clients that left while their requests are at the service (client_watch.h).
  void start_client_watch(http::Worker& worker, boost::asio::steady_timer& timer);
  // /readyz: not while draining, nor while a checked upstream is unhealthy. Control thread.
  std::optional<std::string> not_ready() const;
  // The first stop signal: readiness 503, the listener closed after drain_delay, queued
  // requests answered, in-flight ones given until drain_timeout. The second: finish() now.
  void begin_drain();
  void wait_for_idle(std::chrono::steady_clock::time_point deadline);
  void finish();  // closes the admin server and health checks; run() then stops the threads

  // What the admin endpoints show (server_views.cpp); control thread.

  std::string metrics_text();  // GET /metrics
  observability::TlsState tls_state() const;  // /state's sections
  observability::Http2State http2_state() const;
  observability::TunnelState tunnel_state() const;
};

}  // namespace levee
