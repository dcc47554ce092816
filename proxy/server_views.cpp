// What the admin endpoints show of a running levee: the /metrics text and /state's tls,
// http2 and tunnels sections. Control thread.

#include "proxy/server_state.h"

#include "proxy/policy/h2_abuse.h"

#include <prometheus/text_serializer.h>

namespace levee {
namespace {

// A counter kept outside prometheus-cpp (on the request path, where its compare-and-swap
// would cost more) is brought up to `total` when scraped.
void catch_up(prometheus::Counter& counter, double total) {
  if (total > counter.Value()) counter.Increment(total - counter.Value());
}

}  // namespace

std::string Server::State::metrics_text() {
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

observability::TlsState Server::State::tls_state() const {
  const auto runtime = shared.runtime();
  observability::TlsState state;
  state.enabled = runtime->tls != nullptr;
  state.certificate_file = runtime->config->listener.tls.cert_file;
  state.certificate_expiry = tls_metrics.certificate_expiry();
  for (const auto result : http::all_tls_handshake_results)
    state.handshakes.emplace_back(http::name(result), tls_metrics.handshakes(result));
  return state;
}

observability::Http2State Server::State::http2_state() const {
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

observability::TunnelState Server::State::tunnel_state() const {
  const auto runtime = shared.runtime();
  observability::TunnelState state;
  state.max = runtime->config->tunnels.max;
  state.taken = tunnels.taken();
  for (const auto& route : runtime->routes) state.open_by_route.emplace_back(route.name(), tunnels.open(route.index));
  return state;
}

}  // namespace levee
