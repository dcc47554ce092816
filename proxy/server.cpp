#include "proxy/server.h"

#include "proxy/admin/admin_server.h"
#include "proxy/config/endpoint.h"
#include "proxy/descriptor_limit.h"
#include "proxy/config/loader.h"
#include "proxy/cpu_quota.h"
#include "proxy/health/health_checker.h"
#include "proxy/http/access_log.h"
#include "proxy/http/admission_groups.h"
#include "proxy/http/admission_ticker.h"
#include "proxy/http/exchange_error.h"
#include "proxy/http/client_session.h"
#include "proxy/http/parked_connection.h"
#include "proxy/http/listener.h"
#include "proxy/http/proxy_state.h"
#include "proxy/http/tls_context.h"
#include "proxy/http/upstream_tls.h"
#include "proxy/http/worker_pool.h"
#include "proxy/observability/build_info.h"
#include "proxy/observability/reload_metrics.h"
#include "proxy/observability/metrics.h"
#include "proxy/observability/process_metrics.h"
#include "proxy/observability/retry_metrics.h"
#include "proxy/observability/state_document.h"
#include "proxy/observability/tunnel_metrics.h"
#include "proxy/observability/tls_metrics.h"
#include "proxy/policy/h2_abuse.h"
#include "proxy/policy/tunnel_ledger.h"
#include "proxy/policy/clock.h"
#include "proxy/reload.h"
#include "proxy/runtime_builder.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/async.h>
#include <spdlog/spdlog.h>

#include <future>
#include <map>
#include <random>
#include <thread>

namespace levee {
namespace asio = boost::asio;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto maintenance_interval = std::chrono::seconds(1);
constexpr auto drain_poll_interval = std::chrono::milliseconds(50);

// A counter kept outside prometheus-cpp (on the request path, where its compare-and-swap
// would cost more) is brought up to `total` when scraped.
void catch_up(prometheus::Counter& counter, double total) {
  if (total > counter.Value()) counter.Increment(total - counter.Value());
}

tcp::endpoint resolve_listen(const config::Endpoint& endpoint) {
  asio::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  const auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service);
  return results.begin()->endpoint();
}

std::vector<tcp::endpoint> resolve_upstream(const config::UpstreamConfig& upstream) {
  // Resolved once at start, before any worker runs: no DNS ever happens on an I/O thread.
  asio::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : resolver.resolve(upstream.address.host, std::to_string(upstream.address.port)))
    endpoints.push_back(entry.endpoint());
  return endpoints;
}

std::string to_string(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

// The label values of an enum with an `all_*` table and a name() (e.g. shed_reason.h).
template <class Enum, std::size_t N>
std::vector<std::string_view> names_of(const std::array<Enum, N>& all) {
  std::vector<std::string_view> names;
  for (const Enum value : all) names.push_back(name(value));
  return names;
}

template <class T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

std::vector<std::string> health_checked(const std::vector<config::UpstreamConfig>& upstreams) {
  std::vector<std::string> names;
  for (const auto& upstream : upstreams)
    if (upstream.health_check.enabled()) names.push_back(upstream.name);
  return names;
}

}  // namespace

struct Server::State {
  State(std::shared_ptr<const config::Config> cfg, ServerOptions opts)
      : config(std::move(cfg)),
        options(std::move(opts)),
        worker_threads(choose_worker_threads(config->server.threads, std::thread::hardware_concurrency(),
                                             config->server.threads ? CgroupCpuFiles{} : read_cgroup_cpu_files())),
        workers(std::make_unique<http::WorkerPool>(worker_threads.count)),
        metrics(registry, names_of(config->routes), names_of(config->upstreams), names_of(http::all_exchange_errors),
                health_checked(config->upstreams), worker_threads.count),
        retry_metrics(registry, names_of(config->routes), names_of(policy::all_retry_outcomes)),
        reload_metrics(registry),
        tunnel_metrics(registry, names_of(config->routes)),
        tls_metrics(registry),
        tunnels(config->routes.size()),
        shared(metrics, clock, std::random_device{}(), worker_threads.count),
        groups(registry, clock, [this] {
          if (admission_ticker) admission_ticker->hurry();
        }),
        flow_secret(random_flow_hash_key()) {
    shared.retry_metrics = &retry_metrics;
    shared.tunnels = &tunnels;
    shared.tunnel_metrics = &tunnel_metrics;
    shared.tls_metrics = &tls_metrics;
    observability::register_build_info(registry);
  }

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
  asio::io_context control{1};
  // The admission tick (queue expiry, CoDel, deadlines) on a thread of its own: a slow
  // /metrics scrape or an admin flood on the control thread must not delay it.
  asio::io_context ticker{1};
  std::unique_ptr<http::AdmissionTicker> admission_ticker;  // set before the workers start
  std::vector<std::unique_ptr<http::UpstreamShared>> upstream_shared;
  std::vector<std::unique_ptr<http::Worker>> worker_states;
  std::unique_ptr<http::Listener> listener;
  std::unique_ptr<admin::AdminServer> admin;
  std::unique_ptr<health::HealthChecker> health;  // on the control thread, like /readyz
  std::vector<std::unique_ptr<asio::steady_timer>> maintenance_timers;
  std::unique_ptr<asio::signal_set> signals;
  std::shared_ptr<spdlog::details::thread_pool> log_threads;  // started with the first access log
  std::promise<void> stopped;
  bool drain_started = false;

  // SIGHUP and POST /reload: re-read the config file; apply it only if all of it is valid and
  // it changes nothing that needs a restart. Runs on the control thread.
  admin::AdminReply reload() {
    auto reply = try_reload();
    reload_metrics.count(reply.status == boost::beast::http::status::ok);
    return reply;
  }

  admin::AdminReply try_reload() {
    const auto running = shared.runtime()->config;
    auto result = config::load_file(running->source, config::process_environment());
    admin::AdminReply reply;
    if (!result.ok()) {
      reply.status = boost::beast::http::status::bad_request;
      for (const auto& error : result.errors) {
        spdlog::error("reload refused: {}", error.to_string());
        reply.body += error.to_string() + "\n";
      }
      reply.body += "reload refused: the running config stays\n";
      return reply;
    }
    if (const auto section = restart_required(*running, *result.config)) {
      spdlog::error("reload refused: changing {} needs a restart; the running config stays", *section);
      reply.status = boost::beast::http::status::conflict;
      reply.body = "reload refused: changing " + *section + " needs a restart; the running config stays\n";
      return reply;
    }
    // The certificate and key are read again on every reload (a renewed certificate keeps its
    // file names); a file that does not load refuses the reload, and the running context stays.
    auto tls = build_tls(result.config->listener);
    if (!tls.error.empty()) {
      spdlog::error("reload refused: {}; the running config stays", tls.error);
      reply.status = boost::beast::http::status::bad_request;
      reply.body = "reload refused: " + tls.error + "; the running config stays\n";
      return reply;
    }
    const auto previous = shared.runtime();
    // A new destination or format is opened before anything is applied: if it cannot be, the
    // reload is refused whole and the running config (and log) stay.
    auto access_log = previous->access_log;
    if (running->logging.access_log != result.config->logging.access_log ||
        running->logging.access_log_format != result.config->logging.access_log_format) {
      auto opened = open_access_log(result.config->logging);
      if (!opened.error.empty()) {
        spdlog::error("reload refused: cannot open access log {}: {}; the running config stays",
                      result.config->logging.access_log, opened.error);
        reply.status = boost::beast::http::status::bad_request;
        reply.body = "reload refused: cannot open access log " + result.config->logging.access_log + ": " +
                     opened.error + "; the running config stays\n";
        return reply;
      }
      access_log = std::move(opened.log);
      spdlog::info("access log now {} ({})",
                   result.config->logging.access_log.empty() ? "off" : result.config->logging.access_log,
                   config::name(result.config->logging.access_log_format));
    }
    spdlog::set_level(spdlog::level::from_str(result.config->logging.level));
    auto gates = groups.apply(*result.config);
    publish(build_runtime(result.config, std::move(gates), metrics, flow_secret, previous.get(), clock.now(),
                          std::move(access_log), std::move(tls.context)));
    spdlog::info("reloaded {}: {} admission group(s)", running->source, result.config->admission.groups.size());
    reply.body = "reloaded\n";
    return reply;
  }

  // The listener's SSL context for `tls` (none when TLS is off), its certificate's expiry
  // published. Control thread (or start).
  http::ServerTlsContext build_tls(const config::ListenerConfig& listener) {
    const config::ListenerTlsConfig& tls = listener.tls;
    auto built = http::make_server_tls_context(tls, listener.http2.enabled);
    if (built.context) {
      tls_metrics.set_certificate_expiry(built.not_after_epoch_seconds);
      spdlog::info("TLS: serving {} (key {})", tls.cert_file, tls.key_file);
    }
    return built;
  }

  // Publishes `next` and has each worker pick it up now rather than at its next request: an
  // idle worker would otherwise keep the old runtime, and with it the old access-log file
  // open, indefinitely (after logrotate, a deleted file still taking disk space).
  void publish(std::shared_ptr<const http::ProxyRuntime> next) {
    shared.set_runtime(std::move(next));
    for (auto& worker : worker_states)
      asio::post(worker->context, [this, w = worker.get()] { shared.runtime(*w); });
  }

  // Opens `logging`'s access log, if any, on the one log thread every access logger shares;
  // that thread starts with the first log opened, so a levee without one runs no log thread.
  // Control thread (or start, before it runs).
  http::OpenedAccessLog open_access_log(const config::LoggingConfig& logging) {
    if (logging.access_log.empty()) return {};
    if (!log_threads) log_threads = std::make_shared<spdlog::details::thread_pool>(8192, 1);
    return http::open_access_log(logging, log_threads);
  }

  // SIGUSR1, logrotate's convention: after the file was moved aside, write to a fresh one at the
  // configured path. The new log is published as a copy of the running runtime; requests in
  // flight finish their lines in the old file. If the file cannot be opened, the old one stays.
  // Runs on the control thread.
  void reopen_access_log() {
    const auto running = shared.runtime();
    const auto& logging = running->config->logging;
    if (!running->access_log || logging.access_log == "-") {
      spdlog::info("received SIGUSR1: no access log file to reopen");
      return;
    }
    auto opened = open_access_log(logging);
    if (!opened.error.empty()) {
      spdlog::error("received SIGUSR1: cannot reopen access log {}: {}; still writing to the old file",
                    logging.access_log, opened.error);
      return;
    }
    auto next = std::make_shared<http::ProxyRuntime>(*running);
    next->access_log = std::move(opened.log);
    publish(std::move(next));
    spdlog::info("received SIGUSR1: reopened access log {}", logging.access_log);
  }

  std::string metrics_text() {
    groups.refresh_metrics();
    const auto runtime = shared.runtime();
    const auto now = clock.now();
    for (const auto& route : runtime->routes)
      retry_metrics.set_budget_tokens(route.index, route.retry ? route.retry->budget.balance(now) : 0.0);
    tunnel_metrics.refresh(tunnels);
    metrics.publish();
    metrics.in_flight().Set(static_cast<double>(shared.in_flight.total()));
    for (std::size_t i = 0; i < upstream_shared.size(); ++i) {
      auto& m = metrics.upstream(i);
      m.open_connections->Set(static_cast<double>(upstream_shared[i]->open.load(std::memory_order_relaxed)));
      m.idle_connections->Set(static_cast<double>(upstream_shared[i]->idle.total()));
      // The pools count connects and reuses on the request path; the exported counters catch
      // up here (scrapes run only on the control thread: one writer).
      catch_up(*m.connects, static_cast<double>(upstream_shared[i]->connects.load(std::memory_order_relaxed)));
      catch_up(*m.reuses, static_cast<double>(upstream_shared[i]->reuses.total()));
    }
    auto families = registry.Collect();
    auto process = process_metrics.Collect();
    families.insert(families.end(), std::make_move_iterator(process.begin()), std::make_move_iterator(process.end()));
    return prometheus::TextSerializer().Serialize(families);
  }

  // /state's tls section. Control thread.
  observability::TlsState tls_state() const {
    const auto runtime = shared.runtime();
    observability::TlsState state;
    state.enabled = runtime->tls != nullptr;
    state.certificate_file = runtime->config->listener.tls.cert_file;
    state.certificate_expiry = tls_metrics.certificate_expiry();
    for (const auto result : http::all_tls_handshake_results)
      state.handshakes.emplace_back(http::name(result), tls_metrics.handshakes(result));
    return state;
  }

  // /state's http2 section, from the counters. Control thread.
  observability::Http2State http2_state() const {
    const auto runtime = shared.runtime();
    observability::Http2State state;
    state.enabled = runtime->config->listener.http2.enabled;
    state.h2c = runtime->config->listener.http2.h2c;
    state.connections = static_cast<std::uint64_t>(shared.metrics.h2_connections().Value());
    state.streams = static_cast<std::uint64_t>(shared.metrics.h2_streams().Value());
    for (const auto rule : policy::all_h2_abuses)
      state.abuse.emplace_back(policy::name(rule),
                               static_cast<std::uint64_t>(shared.metrics.h2_abuse(static_cast<std::size_t>(rule)).Value()));
    return state;
  }

  // /state's tunnels section. Control thread.
  observability::TunnelState tunnel_state() const {
    const auto runtime = shared.runtime();
    observability::TunnelState state;
    state.max = runtime->config->tunnels.max;
    state.taken = tunnels.taken();
    for (const auto& route : runtime->routes) state.open_by_route.emplace_back(route.name(), tunnels.open(route.index));
    return state;
  }

  void start_maintenance(http::Worker& worker, asio::steady_timer& timer) {
    timer.expires_after(maintenance_interval);
    timer.async_wait([this, &worker, &timer](const boost::system::error_code& ec) {
      if (ec) return;
      const auto now = clock.now();
      for (auto& pool : worker.pools) pool->sweep(now);
      for (http::ClientSession* session : worker.sessions) session->on_maintenance_tick();
      start_maintenance(worker, timer);
    });
  }

  // Clients that left while their requests are at the service (client_watch.h).
  void start_client_watch(http::Worker& worker, asio::steady_timer& timer) {
    timer.expires_after(http::client_watch_interval);
    timer.async_wait([this, &worker, &timer](const boost::system::error_code& ec) {
      if (ec) return;
      worker.client_watches.sweep();
      start_client_watch(worker, timer);
    });
  }

  void begin_drain() {
    if (drain_started) {
      spdlog::warn("second stop signal: exiting without waiting for in-flight requests");
      finish();
      return;
    }
    drain_started = true;
    shared.draining.store(true);
    spdlog::info("draining: readiness now 503; closing the listener in {} ms, waiting up to {} ms",
                 std::chrono::duration_cast<std::chrono::milliseconds>(config->server.drain_delay).count(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(config->server.drain_timeout).count());
    auto delay = std::make_shared<asio::steady_timer>(workers->context(0), config->server.drain_delay);
    delay->async_wait([this, delay](const boost::system::error_code&) {
      listener->close();
      // Requests still queued will not get a permit in time to matter: answer them now
      // (503 `draining`) so their callers go elsewhere; in-flight ones finish.
      groups.drain();
      for (auto& worker : worker_states) {
        asio::post(worker->context, [w = worker.get()] {
          for (auto* session : w->sessions) session->drain();
          for (auto* parked : w->parked) parked->close();  // ends its wait: freed after this loop
          for (auto& pool : w->pools) pool->close_idle();
        });
      }
      wait_for_idle(clock.now() + config->server.drain_timeout);
    });
  }

  void wait_for_idle(SteadyClock::time_point deadline) {
    if (shared.open_connections.load() == 0 || clock.now() >= deadline) {
      const auto left = shared.open_connections.load();
      if (left) spdlog::warn("drain timeout: closing {} connection(s) still open", left);
      else spdlog::info("drained: all connections closed");
      finish();
      return;
    }
    auto poll = std::make_shared<asio::steady_timer>(workers->context(0), drain_poll_interval);
    poll->async_wait([this, poll, deadline](const boost::system::error_code&) { wait_for_idle(deadline); });
  }

  // /readyz: not while draining, nor while a checked upstream is unhealthy. Control thread.
  std::optional<std::string> not_ready() const {
    if (shared.draining.load()) return "draining\n";
    if (health) return health->not_ready(clock.now());
    return std::nullopt;
  }

  void finish() {
    if (admin) admin->close();
    if (health) health->stop();
    try {
      stopped.set_value();
    } catch (const std::future_error&) {
    }
  }
};

Server::Server(std::shared_ptr<const config::Config> config, ServerOptions options)
    : state_(std::make_unique<State>(std::move(config), std::move(options))) {}

Server::~Server() = default;

int Server::run() {
  auto& s = *state_;
  const auto& config = *s.config;

  const DescriptorBudget descriptors = raise_descriptor_limit(config);
  if (!descriptors.raise_error.empty())
    spdlog::warn("could not raise the open-file limit: {}", descriptors.raise_error);
  if (descriptors.limit < descriptors.needed)
    spdlog::warn("open-file limit {} is below the {} descriptors this config may need (listener.max_connections, "
                 "twice each upstream's max_connections, and a few for levee itself): connections will fail "
                 "with 'too many open files' before those limits; raise the hard limit (ulimit -Hn, the "
                 "container's nofile) or lower them",
                 descriptors.limit, descriptors.needed);

  for (std::size_t i = 0; i < config.upstreams.size(); ++i) s.upstream_shared.push_back(std::make_unique<http::UpstreamShared>(s.workers->size()));
  std::vector<std::vector<tcp::endpoint>> upstream_endpoints;
  for (const auto& upstream : config.upstreams) {
    try {
      upstream_endpoints.push_back(resolve_upstream(upstream));
    } catch (const std::exception& e) {
      spdlog::error("upstream {}: cannot resolve {}: {}", upstream.name, upstream.address.host, e.what());
      return 1;
    }
  }
  // TLS to upstreams: one client context each, shared by every worker's pool and the probes.
  std::vector<http::UpstreamTls> upstream_tls;
  for (const auto& upstream : config.upstreams) {
    auto made = http::make_upstream_tls(upstream);
    if (!made.error.empty()) {
      spdlog::error("{}", made.error);
      return 1;
    }
    upstream_tls.push_back(std::move(made.tls));
  }
  std::vector<health::CheckedUpstream> checked;
  for (std::size_t u = 0; u < config.upstreams.size(); ++u) {
    const auto& upstream = config.upstreams[u];
    if (!upstream.health_check.enabled()) continue;
    checked.push_back({upstream.name, upstream.health_check,
                       health::ProbeTarget{upstream_endpoints[u], config::format_endpoint(upstream.address),
                                           upstream.health_check.path, upstream.health_check.timeout,
                                           upstream_tls[u]},
                       s.metrics.upstream(u).healthy});
  }
  s.health = std::make_unique<health::HealthChecker>(s.control, s.clock, std::move(checked));
  std::vector<http::Worker*> worker_pointers;
  std::random_device entropy;  // each worker's generator gets its own seed
  for (std::size_t w = 0; w < s.workers->size(); ++w) {
    auto worker = std::make_unique<http::Worker>(s.workers->context(w), w, (std::uint64_t{entropy()} << 32) | entropy());
    for (std::size_t u = 0; u < config.upstreams.size(); ++u)
      worker->pools.push_back(std::make_unique<http::UpstreamPool>(worker->context, config.upstreams[u],
                                                                   upstream_endpoints[u], *s.upstream_shared[u], w,
                                                                   upstream_tls[u]));
    worker_pointers.push_back(worker.get());
    s.worker_states.push_back(std::move(worker));
  }
  auto access_log = s.open_access_log(config.logging);
  if (!access_log.error.empty()) {
    spdlog::error("cannot open access log {}: {}", config.logging.access_log, access_log.error);
    return 1;
  }
  auto tls = s.build_tls(config.listener);
  if (!tls.error.empty()) {
    spdlog::error("{}", tls.error);
    return 1;
  }
  s.shared.set_runtime(build_runtime(s.config, s.groups.apply(config), s.metrics, s.flow_secret, nullptr, s.clock.now(),
                                     std::move(access_log.log), std::move(tls.context)));
  // Signals are caught before anything says "listening": a SIGHUP sent as soon as the log says
  // levee is up must reload it, not kill it (the default action). Asio holds a signal until the
  // control thread runs.
  s.signals = std::make_unique<asio::signal_set>(s.control, SIGTERM, SIGINT, SIGHUP);
  s.signals->add(SIGUSR1);  // reopen the access log (logrotate)
  std::function<void()> arm_signals = [&] {
    s.signals->async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        spdlog::info("received SIGHUP: reloading {}", s.shared.runtime()->config->source);
        s.reload();
      } else if (signal == SIGUSR1) {
        s.reopen_access_log();
      } else {
        spdlog::info("received {}", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        s.begin_drain();
      }
      arm_signals();
    });
  };
  arm_signals();

  try {
    s.listener = std::make_unique<http::Listener>(*s.workers, worker_pointers, s.shared,
                                                  resolve_listen(config.listener.address));
    if (config.admin.enabled) {
      admin::AdminEndpoints endpoints{
          .metrics = [&s] { return s.metrics_text(); },
          .not_ready = [&s] { return s.not_ready(); },
          .config_yaml = [&s] { return config::to_yaml(*s.shared.runtime()->config); },
          .state =
              [&s] {
                return admin::AdminReply{boost::beast::http::status::ok, "application/json", observability::render_state(s.groups.states(), s.tunnel_state(), s.tls_state(), s.http2_state())};
              },
          .reload = [&s] { return s.reload(); },
          .token = config.admin.token,
      };
      s.admin = std::make_unique<admin::AdminServer>(s.control, resolve_listen(config.admin.address),
                                                     std::move(endpoints));
    }
  } catch (const std::exception& e) {
    spdlog::error("cannot listen: {}", e.what());
    return 1;
  }

  const std::string proxy_address = to_string(s.listener->local_endpoint());
  const std::string admin_address = s.admin ? to_string(s.admin->local_endpoint()) : "off";
  spdlog::info("levee {} starting: {} worker(s), {} route(s), {} upstream(s), config {}", LEVEE_VERSION,
               s.workers->size(), config.routes.size(), config.upstreams.size(), config.source);
  spdlog::info("{} worker(s): {}", s.workers->size(), s.worker_threads.reason);
  for (const auto& route : config.routes)
    spdlog::info("route {}: host '{}' prefix {} -> {}", route.name, route.host, route.path_prefix, route.upstream);
  for (const auto& upstream : config.upstreams) {
    spdlog::info("upstream {}: {}:{} (max {} connections)", upstream.name, upstream.address.host,
                 upstream.address.port, upstream.max_connections);
    if (upstream.health_check.enabled())
      spdlog::info("upstream {}: health check GET {} every {} ms; /readyz answers 503 until it passes", upstream.name,
                   upstream.health_check.path,
                   std::chrono::duration_cast<std::chrono::milliseconds>(upstream.health_check.interval).count());
  }
  spdlog::info("proxy listening on {}", proxy_address);
  spdlog::info("admin listening on {}", admin_address);
  if (s.options.on_listening) s.options.on_listening(proxy_address, admin_address);

  s.admission_ticker = std::make_unique<http::AdmissionTicker>(s.ticker, s.groups, http::AdmissionTicker::Pace{});
  s.admission_ticker->start();

  for (auto& worker : s.worker_states) {
    s.maintenance_timers.push_back(std::make_unique<asio::steady_timer>(worker->context));
    s.start_maintenance(*worker, *s.maintenance_timers.back());
    s.maintenance_timers.push_back(std::make_unique<asio::steady_timer>(worker->context));
    s.start_client_watch(*worker, *s.maintenance_timers.back());
  }
  s.listener->start();
  if (s.admin) s.admin->start();
  s.health->start();
  s.workers->start();
  auto control_guard = asio::make_work_guard(s.control);
  std::thread control_thread([&s] { s.control.run(); });
  std::thread tick_thread([&s] { s.ticker.run(); });

  s.stopped.get_future().wait();
  s.workers->stop();
  s.workers->join();
  control_guard.reset();
  s.control.stop();
  control_thread.join();
  s.ticker.stop();
  tick_thread.join();
  // I/O objects go before their io_contexts; the contexts then destroy any coroutine still
  // pending (a session past the drain timeout) while the state it points at still exists.
  s.signals.reset();
  s.admission_ticker.reset();
  s.maintenance_timers.clear();
  s.listener.reset();
  s.admin.reset();
  s.health.reset();
  for (auto& worker : s.worker_states)
    for (auto& pool : worker->pools) pool->close_all();
  s.workers.reset();
  spdlog::info("levee stopped");
  return 0;
}

}  // namespace levee
