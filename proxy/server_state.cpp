// Server::State's operations off the request path: reload, the access log, the workers'
// maintenance timers and the drain (server_state.h).

#include "proxy/server_state.h"

#include "proxy/config/loader.h"
#include "proxy/http/client_session.h"
#include "proxy/http/exchange_error.h"
#include "proxy/http/parked_connection.h"
#include "proxy/observability/build_info.h"
#include "proxy/policy/retry_rules.h"
#include "proxy/reload.h"
#include "proxy/runtime_builder.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <random>
#include <thread>

namespace levee {
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto maintenance_interval = std::chrono::seconds(1);
constexpr auto drain_poll_interval = std::chrono::milliseconds(50);

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

Server::State::State(std::shared_ptr<const config::Config> cfg, ServerOptions opts)
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

admin::AdminReply Server::State::reload() {
  auto reply = try_reload();
  reload_metrics.count(reply.status == boost::beast::http::status::ok);
  return reply;
}

admin::AdminReply Server::State::try_reload() {
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

http::ServerTlsContext Server::State::build_tls(const config::ListenerConfig& listener) {
  const config::ListenerTlsConfig& tls = listener.tls;
  auto built = http::make_server_tls_context(tls, listener.http2.enabled);
  if (built.context) {
    tls_metrics.set_certificate_expiry(built.not_after_epoch_seconds);
    spdlog::info("TLS: serving {} (key {})", tls.cert_file, tls.key_file);
  }
  return built;
}

void Server::State::publish(std::shared_ptr<const http::ProxyRuntime> next) {
  shared.set_runtime(std::move(next));
  for (auto& worker : worker_states)
    asio::post(worker->context, [this, w = worker.get()] { shared.runtime(*w); });
}

http::OpenedAccessLog Server::State::open_access_log(const config::LoggingConfig& logging) {
  if (logging.access_log.empty()) return {};
  if (!log_threads) log_threads = std::make_shared<spdlog::details::thread_pool>(8192, 1);
  return http::open_access_log(logging, log_threads);
}

void Server::State::reopen_access_log() {
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

void Server::State::start_maintenance(http::Worker& worker, asio::steady_timer& timer) {
  timer.expires_after(maintenance_interval);
  timer.async_wait([this, &worker, &timer](const boost::system::error_code& ec) {
    if (ec) return;
    const auto now = clock.now();
    for (auto& pool : worker.pools) pool->sweep(now);
    for (http::ClientSession* session : worker.sessions) session->on_maintenance_tick();
    start_maintenance(worker, timer);
  });
}

void Server::State::start_client_watch(http::Worker& worker, asio::steady_timer& timer) {
  timer.expires_after(http::client_watch_interval);
  timer.async_wait([this, &worker, &timer](const boost::system::error_code& ec) {
    // Stops while nothing is watched; the list calls start_client_watch again (server.cpp).
    if (!ec && worker.client_watches.sweep()) start_client_watch(worker, timer);
  });
}

void Server::State::begin_drain() {
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

void Server::State::wait_for_idle(SteadyClock::time_point deadline) {
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

std::optional<std::string> Server::State::not_ready() const {
  if (shared.draining.load()) return "draining\n";
  if (health) return health->not_ready(clock.now());
  return std::nullopt;
}

void Server::State::finish() {
  if (admin) admin->close();
  if (health) health->stop();
  try {
    stopped.set_value();
  } catch (const std::future_error&) {
  }
}

}  // namespace levee
