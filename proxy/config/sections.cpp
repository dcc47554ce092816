#include "proxy/config/sections.h"

#include <algorithm>

#include <fmt/format.h>

#include "proxy/config/admission_sections.h"
#include "proxy/config/cpu_list.h"
#include "proxy/config/http2_section.h"
#include "proxy/config/tls_section.h"
#include "proxy/config/trust_sections.h"
#include "proxy/policy/request_path.h"

namespace levee::config::detail {
namespace {

using std::chrono::seconds;

std::optional<std::string> check_path_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.front() != '/') {
    return fmt::format("expected a path prefix starting with '/', got '{}'", prefix);
  }
  if (prefix.find('?') != std::string_view::npos) {
    return fmt::format("expected a path without a query ('?'), got '{}'", prefix);
  }
  // Requests are routed on their normalised path: a prefix that is not normal never matches.
  const policy::NormalizedTarget normal = policy::normalize_target(prefix);
  if (!normal.problem.empty()) return fmt::format("'{}' can never match a request: {}", prefix, normal.problem);
  if (normal.rewritten) {
    return fmt::format("requests are matched on their normalised path, so '{}' would never match; write '{}'",
                       prefix, *normal.rewritten);
  }
  return std::nullopt;
}

// An Upgrade protocol name is an RFC 9110 token (without the optional "/version").
std::optional<std::string> check_protocol(std::string_view protocol) {
  if (!protocol.empty() && !check_header_name(protocol)) return std::nullopt;
  return fmt::format("expected an upgrade protocol name such as websocket, got '{}'", protocol);
}

// Absent, or off (also as `false`: word_spelled_as_boolean).
bool means_off(std::string_view value) { return value.empty() || word_spelled_as_boolean(value, {"off"}) == "off"; }

void read_cpu_affinity(MapReader& r, CpuAffinity& affinity) {
  std::string text;
  r.string("cpu_affinity", text, [](std::string_view value) -> std::optional<std::string> {
    if (means_off(value) || value == "auto") return std::nullopt;
    const auto parsed = parse_cpu_list(value);
    if (const auto* error = std::get_if<std::string>(&parsed))
      return "expected off, auto or a CPU list such as 0-3,6: " + *error;
    return std::nullopt;
  });
  if (means_off(text)) return;  // absent, off, or a value reported above: the default
  if (text == "auto") {
    affinity.mode = CpuAffinity::Mode::automatic;
    return;
  }
  auto parsed = parse_cpu_list(text);
  if (auto* cpus = std::get_if<std::vector<unsigned>>(&parsed)) {
    affinity.mode = CpuAffinity::Mode::listed;
    affinity.cpus = std::move(*cpus);
  }
}

void read_server(MapReader& r, ServerConfig& server) {
  r.integer("threads", server.threads, 0u, 256u);
  read_cpu_affinity(r, server.cpu_affinity);
  r.duration("drain_timeout", server.drain_timeout);
  r.duration("drain_delay", server.drain_delay, {.min = Duration::zero()});
}

void read_listener(MapReader& r, ListenerConfig& listener) {
  r.endpoint("address", listener.address, PortZero::allowed);
  r.integer<std::uint64_t>("max_connections", listener.max_connections, 1, 10'000'000);
  r.integer<std::uint64_t>("max_connections_per_client", listener.max_connections_per_client, 0, 10'000'000);
  // Beast keeps the header limit in 32 bits; past 16MiB a header is an attack, not a cookie.
  r.size("max_header_bytes", listener.max_header_bytes, 1 * KiB, 16 * MiB);
  r.size("max_body_bytes", listener.max_body_bytes);
  r.duration("header_timeout", listener.header_timeout);
  r.duration("idle_timeout", listener.idle_timeout);
  r.duration("body_timeout", listener.body_timeout);
  r.size("max_buffered_request_body", listener.max_buffered_request_body, 0, 64 * MiB);
  r.size("max_buffered_response_body", listener.max_buffered_response_body, 0, 64 * MiB);
  r.size("min_transfer_rate", listener.min_transfer_rate);
  r.duration("transfer_rate_window", listener.transfer_rate_window);
  r.duration("transfer_rate_grace", listener.transfer_rate_grace, {.min = Duration::zero()});
  r.duration("max_transfer_time", listener.max_transfer_time, {.min = Duration::zero()});
  r.map("http2", [&](MapReader& h) { read_http2(h, listener.http2); });
  r.map("tls", [&](MapReader& t) { read_listener_tls(t, listener.tls); });
}

void read_admin(MapReader& r, AdminConfig& admin) {
  r.boolean("enabled", admin.enabled);
  r.endpoint("address", admin.address, PortZero::allowed);
  r.string("token_file", admin.token_file);  // read, and checked, by finalize_admin_token
}

void read_logging(MapReader& r, LoggingConfig& logging) {
  r.one_of("level", logging.level, {"trace", "debug", "info", "warn", "error", "off"});
  r.string("access_log", logging.access_log);
  std::string format(name(logging.access_log_format));
  r.one_of("access_log_format", format, {"text", "json"});
  logging.access_log_format = format == "json" ? AccessLogFormat::json : AccessLogFormat::text;
}

std::optional<std::string> check_probe_path(std::string_view path) {
  if (path.empty() || path.front() != '/')
    return fmt::format("expected a path starting with '/' (e.g. /healthz), got '{}'", path);
  // It becomes the request line of every probe.
  if (std::any_of(path.begin(), path.end(), [](char c) { return c <= ' ' || c == 0x7f; }))
    return fmt::format("expected a path without spaces or control characters, got '{}'", path);
  return std::nullopt;
}

void read_health_check(MapReader& r, HealthCheckConfig& check) {
  r.string("path", check.path, check_probe_path);
  r.duration("interval", check.interval, {.min = std::chrono::milliseconds(100)});
  r.duration("timeout", check.timeout, {.min = std::chrono::milliseconds(10), .max = std::chrono::minutes(1)});
  r.integer("healthy_threshold", check.healthy_threshold, 1u, 100u);
  r.integer("unhealthy_threshold", check.unhealthy_threshold, 1u, 100u);
}

void read_upstream(MapReader& r, UpstreamConfig& upstream) {
  r.require("name");
  r.string("name", upstream.name, check_name);
  r.require("address");
  r.endpoint("address", upstream.address);
  std::string protocol(name(upstream.protocol));
  r.one_of("protocol", protocol,
           {name(UpstreamProtocol::http1), name(UpstreamProtocol::h2c), name(UpstreamProtocol::h2)});
  for (const UpstreamProtocol known : all_upstream_protocols)
    if (protocol == name(known)) upstream.protocol = known;
  r.integer<std::uint64_t>("max_connections", upstream.max_connections, 1, 1'000'000);
  r.duration("connect_timeout", upstream.connect_timeout);
  r.duration("response_timeout", upstream.response_timeout);
  r.duration("idle_timeout", upstream.idle_timeout);
  r.boolean("abort_on_client_close", upstream.abort_on_client_close);
  r.map("health_check", [&](MapReader& h) { read_health_check(h, upstream.health_check); });
  r.map("tls", [&](MapReader& t) { read_upstream_tls(t, upstream.tls); });
  // h2c is HTTP/2 over plain TCP by definition, h2 is HTTP/2 over TLS.
  if (upstream.protocol == UpstreamProtocol::h2c && upstream.tls.enabled)
    r.context().error_at(r.path() + ".protocol",
                         "h2c is HTTP/2 over plain TCP and cannot be combined with tls; use protocol: h2 for "
                         "HTTP/2 over TLS");
  // Probes speak HTTP/1.1 (health/), which an HTTP/2-only service refuses.
  if (is_http2(upstream.protocol) && upstream.health_check.enabled())
    r.context().error_at(r.path() + ".health_check",
                         fmt::format("active health checks speak HTTP/1.1 and are not available for protocol: {} yet",
                                     name(upstream.protocol)));
  if (upstream.protocol == UpstreamProtocol::h2 && !upstream.tls.enabled)
    r.context().error_at(r.path() + ".protocol",
                         "h2 is HTTP/2 over TLS and needs tls: {enabled: true}; use protocol: h2c for HTTP/2 "
                         "over plain TCP");
}

void read_route(MapReader& r, RouteConfig& route, const policy::AdmissionSettings& defaults) {
  r.require("name");
  r.string("name", route.name, check_name);
  r.string("host", route.host);
  r.string("path_prefix", route.path_prefix, check_path_prefix);
  r.string("upstream", route.upstream);  // checked against upstreams in validate.cpp
  r.string_list("upgrades", route.upgrades, "a list of upgrade protocol names, e.g. [websocket]", check_protocol);
  read_route_guard(r, route, defaults);
}

void read_tunnels(MapReader& r, TunnelsConfig& tunnels) {
  r.integer<std::uint64_t>("max", tunnels.max, 0, 10'000'000);
  r.duration("idle_timeout", tunnels.idle_timeout);
  r.duration("drain_grace", tunnels.drain_grace, {.min = Duration::zero()});
}

}  // namespace

std::optional<std::string> check_name(std::string_view name) {
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
  });
  if (ok) return std::nullopt;
  return fmt::format(
      "expected a name of letters, digits, '_', '.' or '-' (it becomes a metric label), got '{}'",
      name);
}

std::optional<std::string> check_header_name(std::string_view name) {
  constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
  const bool ok = std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           specials.find(c) != std::string_view::npos;
  });
  if (ok) return std::nullopt;
  return fmt::format("expected an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), or \"\" to ignore "
                     "the header; got '{}'",
                     name);
}

void read_config(MapReader& root, Config& config) {
  root.map("server", [&](MapReader& r) { read_server(r, config.server); });
  root.map("listener", [&](MapReader& r) { read_listener(r, config.listener); });
  root.map("admin", [&](MapReader& r) { read_admin(r, config.admin); });
  root.map("logging", [&](MapReader& r) { read_logging(r, config.logging); });
  // Admission first: routes' own `admission:` blocks start from its values.
  root.map("admission", [&](MapReader& r) { read_admission(r, config.admission); });
  root.map("tunnels", [&](MapReader& r) { read_tunnels(r, config.tunnels); });
  root.map("shed_response", [&](MapReader& r) { read_shed_response(r, config.shed_response); });
  root.map("request_headers", [&](MapReader& r) { read_request_headers(r, config.request_headers); });
  root.map("priority_trust", [&](MapReader& r) { read_priority_trust(r, config.priority_trust); });
  read_address_set(root, "trusted_proxies", config.trusted_proxies);
  root.list("upstreams", [&](MapReader& r, std::size_t) {
    read_upstream(r, config.upstreams.emplace_back());
  });
  root.list("routes", [&](MapReader& r, std::size_t) {
    read_route(r, config.routes.emplace_back(), config.admission.defaults);
  });
}

}  // namespace levee::config::detail
