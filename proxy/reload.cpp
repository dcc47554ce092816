#include "proxy/reload.h"

namespace levee {

std::optional<std::string> restart_required(const config::Config& running, const config::Config& next) {
  if (running.server != next.server) return "server";
  // TLS settings reload (new handshakes use the new context); turning TLS on or off changes
  // the listener's scheme, which clients and load balancers are configured for.
  auto running_listener = running.listener;
  auto next_listener = next.listener;
  if (running_listener.tls.enabled() != next_listener.tls.enabled()) return "listener.tls (on or off)";
  running_listener.tls = next_listener.tls = {};
  if (running_listener != next_listener) return "listener";
  if (running.admin != next.admin) return "admin";
  if (running.upstreams != next.upstreams) return "upstreams";
  if (running.routes.size() != next.routes.size()) return "routes (added or removed)";
  for (std::size_t i = 0; i < running.routes.size(); ++i) {
    const auto& a = running.routes[i];
    const auto& b = next.routes[i];
    if (a.name != b.name || a.host != b.host || a.path_prefix != b.path_prefix || a.upstream != b.upstream)
      return "routes[" + std::to_string(i) + "] (name, host, path_prefix or upstream)";
  }
  return std::nullopt;
}

}  // namespace levee
