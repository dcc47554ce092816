#include "proxy/server.h"

#include "proxy/config/endpoint.h"
#include "proxy/config/loader.h"
#include "proxy/cpu_affinity.h"
#include "proxy/descriptor_limit.h"
#include "proxy/http/upstream_tls.h"
#include "proxy/runtime_builder.h"
#include "proxy/server_state.h"
#include "proxy/thread_name.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <spdlog/async.h>
#include <spdlog/spdlog.h>

#include <random>
#include <thread>

namespace levee {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

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

}  // namespace

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

  const auto worker_cpus = assign_worker_cpus(config.server.cpu_affinity, allowed_cpus(), s.workers->size());
  if (const auto* error = std::get_if<std::string>(&worker_cpus)) {
    spdlog::error("{}", *error);
    return 1;
  }

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
    worker->client_watches.on_first_watch(
        [&s, &worker = *worker, &timer = *s.maintenance_timers.back()] { s.start_client_watch(worker, timer); });
  }
  s.listener->start();
  if (s.admin) s.admin->start();
  s.health->start();
  const auto& cpus = std::get<WorkerCpus>(worker_cpus);
  for (std::size_t i = 0; i < cpus.size(); ++i)
    if (cpus[i]) spdlog::info("worker-{} pinned to CPU {} (server.cpu_affinity)", i, *cpus[i]);
  s.workers->start(cpus);
  auto control_guard = asio::make_work_guard(s.control);
  std::thread control_thread([&s] {
    name_this_thread("control");  // admin endpoints, health checks, reloads, signals
    s.control.run();
  });
  std::thread tick_thread([&s] {
    name_this_thread("admission-tick");
    s.ticker.run();
  });

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
  for (auto& worker : s.worker_states) worker->client_watches.on_first_watch(nullptr);  // its timer goes next
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
