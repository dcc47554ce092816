#pragma once
// The typed, defaulted, validated configuration of one levee process.
//
// Everything here is plain data: built once by the loader (loader.h) from YAML at the edge,
// then shared immutably (std::shared_ptr<const Config>) by the server. A reload builds a new
// Config next to the running one and swaps the pointer; no code below the loader ever sees a
// YAML node. Every field has a default, so an empty file is a valid config.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/h2/settings.h"
#include "proxy/policy/address_set.h"
#include "proxy/policy/priority.h"
#include "proxy/policy/retry_rules.h"
#include "proxy/policy/settings.h"

namespace levee::config {

using Duration = std::chrono::nanoseconds;

inline constexpr std::uint64_t KiB = 1024;
inline constexpr std::uint64_t MiB = 1024 * KiB;
inline constexpr std::uint64_t GiB = 1024 * MiB;

// "host:port"; host may be a name ("localhost"), an IPv4 address or a bracketed IPv6 address.
// The host is stored without brackets ("::1"), as resolvers take it; see endpoint.h.
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Which CPU each worker thread runs on (YAML `server.cpu_affinity`): off, the kernel places
// them (the default); auto, worker i on the i-th CPU levee may run on; or a CPU list ("2-3",
// "0,2,4"), worker i on its i-th CPU. More workers than CPUs wrap round. As nginx's
// worker_cpu_affinity and HAProxy's cpu-map: for CPUs levee has to itself (proxy/cpu_affinity.h).
struct CpuAffinity {
  enum class Mode { off, automatic, listed };
  Mode mode = Mode::off;
  std::vector<unsigned> cpus;  // listed: ascending, no duplicates

  friend bool operator==(const CpuAffinity&, const CpuAffinity&) = default;
};

struct ServerConfig {
  unsigned threads = 0;                                  // 0 = one worker per core
  CpuAffinity cpu_affinity;
  Duration drain_timeout = std::chrono::seconds(15);     // SIGTERM: wait this long for in-flight
  Duration drain_delay = std::chrono::seconds(0);        // readiness 503 this long before closing

  friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

// HTTP/2 on the listener (YAML `listener.http2`); the protocol and abuse settings live with
// the connection that reads them (proxy/h2/settings.h). Off by default: an operator
// opts into serving HTTP/2 (h2c, ALPN h2) on a listener (proxy/http/h2_session.h).
struct Http2Config {
  bool enabled = false;                                  // HTTP/2 on this listener (ALPN h2 with TLS)
  bool h2c = false;                                      // cleartext HTTP/2 by prior knowledge
  h2::Http2Settings settings;

  friend bool operator==(const Http2Config&, const Http2Config&) = default;
};

// How strictly the listener asks TLS clients for a certificate (YAML `listener.tls.client_verify`).
enum class ClientVerify { off, optional, require };
constexpr std::string_view name(ClientVerify verify) {
  return verify == ClientVerify::require ? "require" : verify == ClientVerify::optional ? "optional" : "off";
}

// TLS termination on the listener (YAML `listener.tls`); off while cert_file is empty. The
// files are read when the SSL context is built (at start and on every reload, so a renewed
// certificate is picked up by a reload without a config change); paths are stored resolved
// against the config file's directory.
struct ListenerTlsConfig {
  std::string cert_file;                                 // PEM chain, leaf first; "" = plain HTTP
  std::string key_file;                                  // PEM private key
  std::string client_ca_file;                            // CAs client certificates must chain to
  ClientVerify client_verify = ClientVerify::off;
  std::string min_version = "1.2";                       // "1.2" or "1.3"; older is never offered
  // OpenSSL cipher list for TLS 1.2; "" = Mozilla's "intermediate" list (TLS 1.3 suites are
  // OpenSSL's defaults, which are the same list).
  std::string ciphers;
  Duration handshake_timeout = std::chrono::seconds(10);  // accept -> handshake done; else close

  bool enabled() const { return !cert_file.empty(); }
  friend bool operator==(const ListenerTlsConfig&, const ListenerTlsConfig&) = default;
};

struct ListenerConfig {
  Endpoint address{"0.0.0.0", 8080};
  std::uint64_t max_connections = 10000;                 // beyond this, accept and answer 503
  // Open connections from one client address (IPv6: one /64) beyond which a new one from it
  // gets the same 503; 0: no cap. Off by default: many clients may share one NAT address.
  std::uint64_t max_connections_per_client = 0;
  std::uint64_t max_header_bytes = 64 * KiB;             // request line + headers; over -> 431
  std::uint64_t max_body_bytes = 1 * GiB;                // request body; over -> 413
  Duration header_timeout = std::chrono::seconds(10);    // whole header must arrive; else 408
  Duration idle_timeout = std::chrono::seconds(60);      // keep-alive wait for the next request
  Duration body_timeout = std::chrono::seconds(30);      // no body byte for this long -> close
  // Slow clients must not hold the service's capacity: a request body up to this size is read
  // whole before admission, and a response body up to this size is read whole from the service
  // (its permit and connection released) before it is written to the client. Larger bodies
  // stream with the permit held. 0 turns buffering off.
  std::uint64_t max_buffered_request_body = 64 * KiB;
  std::uint64_t max_buffered_response_body = 64 * KiB;
  // Larger bodies hold the permit while they stream, so they must keep a pace: after
  // transfer_rate_grace, each transfer_rate_window must average min_transfer_rate bytes/s on
  // the client's side (time waiting on the service does not count), else the transfer is cut:
  // 408 on an upload, a close on a download. 500 B/s is Apache mod_reqtimeout's MinRate: no
  // real client is slower, and a slot held by a byte a second is freed within ten seconds.
  // 0 turns it off. max_transfer_time bounds a whole streamed body as well; 0: no bound.
  std::uint64_t min_transfer_rate = 500;
  Duration transfer_rate_window = std::chrono::seconds(5);
  Duration transfer_rate_grace = std::chrono::seconds(5);
  Duration max_transfer_time = Duration::zero();
  Http2Config http2;
  ListenerTlsConfig tls;  // reloadable (new handshakes use the new context), but not on <-> off

  friend bool operator==(const ListenerConfig&, const ListenerConfig&) = default;
};

// Active health checks of one upstream (YAML `upstreams[].health_check`); off while `path`
// is empty. While on, /readyz answers 503 until the upstream is healthy, so a pod whose app
// is not up yet (or has stopped answering) is taken out of its Service instead of shedding
// every request with 502.
struct HealthCheckConfig {
  std::string path;                                      // GET this; "" = no health checks
  Duration interval = std::chrono::seconds(2);           // from one probe's end to the next start
  Duration timeout = std::chrono::seconds(1);            // connect + request + response header
  unsigned healthy_threshold = 1;                        // consecutive 2xx to become healthy
  unsigned unhealthy_threshold = 2;                      // consecutive failures to become unhealthy

  bool enabled() const { return !path.empty(); }
  friend bool operator==(const HealthCheckConfig&, const HealthCheckConfig&) = default;
};

// TLS from levee to one upstream (YAML `upstreams[].tls`); off unless enabled. Changing it
// needs a restart, like the rest of an upstream.
struct UpstreamTlsConfig {
  bool enabled = false;
  std::string ca_file;      // PEM CAs the service's certificate must chain to; "" the system's
  std::string server_name;  // SNI and the name verified; "" the address's host (no SNI for an IP)
  bool verify = true;       // false: any certificate is accepted (still encrypted, not authenticated)

  friend bool operator==(const UpstreamTlsConfig&, const UpstreamTlsConfig&) = default;
};

// How levee speaks to a service: HTTP/1.1, HTTP/2 by prior knowledge over plain TCP (h2c), or
// HTTP/2 over TLS chosen by ALPN (h2, with `tls`); gRPC services require HTTP/2
// (docs/http2.md, "Upstream HTTP/2").
enum class UpstreamProtocol { http1, h2c, h2 };
inline constexpr std::array all_upstream_protocols{UpstreamProtocol::http1, UpstreamProtocol::h2c,
                                                   UpstreamProtocol::h2};
constexpr std::string_view name(UpstreamProtocol protocol) {
  switch (protocol) {
    case UpstreamProtocol::h2c: return "h2c";
    case UpstreamProtocol::h2: return "h2";
    case UpstreamProtocol::http1: break;
  }
  return "http1";
}
constexpr bool is_http2(UpstreamProtocol protocol) { return protocol != UpstreamProtocol::http1; }

struct UpstreamConfig {
  std::string name;
  UpstreamProtocol protocol = UpstreamProtocol::http1;
  Endpoint address;
  std::uint64_t max_connections = 1024;                  // to this upstream in use at once (idle ones aside)
  Duration connect_timeout = std::chrono::seconds(1);    // over -> 502 (connect failed)
  Duration response_timeout = std::chrono::seconds(30);  // request sent -> response header; 504
  Duration idle_timeout = std::chrono::seconds(30);      // pooled idle connection lifetime
  // A client that leaves while its request is at the service: close that upstream connection
  // (the service can stop the wasted work) instead of letting the exchange run on.
  bool abort_on_client_close = true;
  HealthCheckConfig health_check;
  UpstreamTlsConfig tls;

  friend bool operator==(const UpstreamConfig&, const UpstreamConfig&) = default;
};

// levee's retries to the service, per route (YAML `routes[].retry`): the settings live with
// the rules that read them (proxy/policy/retry_rules.h).
using RetryOn = policy::RetryOn;
using RetryConfig = policy::RetrySettings;

struct RouteConfig {
  std::string name;
  std::string host;                                      // empty: any Host
  std::string path_prefix = "/";
  std::string upstream;                                  // an UpstreamConfig::name
  // The admission group guarding this route: after loading always the name of an entry of
  // AdmissionConfig::groups (unused while admission is disabled). A route that names no group
  // in YAML gets its own group, named after the route, from the defaults plus its
  // `admission:` overrides.
  std::string admission_group;
  std::optional<policy::AdmissionSettings> admission;    // YAML routes[].admission, merged

  policy::Priority priority = policy::Priority::normal;  // class when no priority header
  std::optional<Duration> timeout;                       // caps the client deadline header
  RetryConfig retry;
  // Upgrade protocols (HTTP/1.1 `Upgrade:`) relayed as tunnels on this route (YAML
  // `routes[].upgrades`). WebSocket by default: a web app behind levee expects it to work,
  // and levee only relays its bytes. [] turns upgrades off (Upgrade is then stripped).
  std::vector<std::string> upgrades{"websocket"};

  friend bool operator==(const RouteConfig&, const RouteConfig&) = default;
};

// Upgrade tunnels (WebSocket), YAML `tunnels:`. An established tunnel holds no admission
// permit (policy/tunnel_ledger.h); these bound them instead. All reloadable.
struct TunnelsConfig {
  std::uint64_t max = 0;                                 // open at once, all routes; past it 503; 0 = no cap
  // No byte either way for this long: both sides are closed. WebSocket apps ping every 30-60 s,
  // so an hour only catches peers that vanished without a FIN.
  Duration idle_timeout = std::chrono::hours(1);
  // On SIGTERM, open tunnels get this long to finish what they are saying (bounded by
  // server.drain_timeout), then both sides are closed.
  Duration drain_grace = std::chrono::seconds(5);

  friend bool operator==(const TunnelsConfig&, const TunnelsConfig&) = default;
};

struct AdminConfig {
  bool enabled = true;
  Endpoint address{"127.0.0.1", 9901};
  // A file holding a bearer token every admin request but the probes (/healthz, /readyz) must
  // carry; "" none: anyone who can reach the admin address may use it.
  std::string token_file;
  std::string token;  // what token_file holds, read by the loader (not a YAML key)

  friend bool operator==(const AdminConfig&, const AdminConfig&) = default;
};

// How an access-log line is written (http/access_log_line.h). text is the default so an
// upgrade changes no one's log parser; json is for log pipelines that parse fields.
enum class AccessLogFormat { text, json };
constexpr std::string_view name(AccessLogFormat format) { return format == AccessLogFormat::json ? "json" : "text"; }

struct LoggingConfig {
  std::string level = "info";                            // trace|debug|info|warn|error|off
  std::string access_log;                                // "" off, "-" stdout, else a file path
  AccessLogFormat access_log_format = AccessLogFormat::text;

  friend bool operator==(const LoggingConfig&, const LoggingConfig&) = default;
};

// One admission group: a limit, a queue and the policies around them (proxy/policy/).
struct AdmissionGroupConfig {
  std::string name;
  policy::AdmissionSettings settings;
  bool route_owned = false;  // synthesized for one route, not declared under admission.groups

  friend bool operator==(const AdmissionGroupConfig&, const AdmissionGroupConfig&) = default;
};

// The overload guard (YAML `admission:`). Its own keys (limit, queue, ...) are the defaults
// of every group; `groups:` lists groups shared by several routes, each overriding defaults.
struct AdmissionConfig {
  bool enabled = true;
  policy::AdmissionSettings defaults;
  std::vector<AdmissionGroupConfig> groups;  // after loading: shared groups + one per route

  friend bool operator==(const AdmissionConfig&, const AdmissionConfig&) = default;
};

// What a shed caller gets (YAML `shed_response:`).
struct ShedResponseConfig {
  unsigned status = 429;                     // 429 or 503
  std::string sorry_page;                    // file (relative to the config file); "" built-in
  std::string sorry_page_html;               // its text, read by the loader (not a YAML key)

  friend bool operator==(const ShedResponseConfig&, const ShedResponseConfig&) = default;
};

// Request headers levee reads to classify requests (YAML `request_headers:`); "" disables.
struct RequestHeadersConfig {
  std::string retry = "Retry-Attempt";       // a value other than "0" marks a client retry
  std::string priority = "levee-priority";   // critical | default | sheddable
  std::string deadline = "levee-timeout";    // the caller's remaining patience: "1500ms", "2s"
  std::string idempotency_key = "Idempotency-Key";  // makes a non-idempotent method retryable

  friend bool operator==(const RequestHeadersConfig&, const RequestHeadersConfig&) = default;
};

// Who may raise a request's priority above its route's class with the priority header (YAML
// `priority_trust:`); anyone may lower it. Trusted is a peer address in `peers`, or a request
// that carries the shared secret in `secret_header`: either one is enough. Nothing set: nobody.
struct PriorityTrustConfig {
  policy::AddressSet peers;
  std::string secret_header;                 // "" no shared secret; stripped before forwarding
  // Where the secret comes from, as written: a ${VAR} reference (never the secret itself, so
  // the admin endpoint /config cannot show it), or a file relative to the config file.
  std::string secret;
  std::string secret_file;
  std::string secret_value;                  // what they hold, read by the loader (not a YAML key)

  friend bool operator==(const PriorityTrustConfig&, const PriorityTrustConfig&) = default;
};

struct Config {
  std::string source;                                    // file the config came from (or "<string>")
  ServerConfig server;
  ListenerConfig listener;
  AdminConfig admin;
  LoggingConfig logging;
  std::vector<UpstreamConfig> upstreams;                 // at least one after loading
  std::vector<RouteConfig> routes;                       // at least one after loading
  TunnelsConfig tunnels;
  AdmissionConfig admission;
  ShedResponseConfig shed_response;
  RequestHeadersConfig request_headers;
  PriorityTrustConfig priority_trust;
  // Peers whose forwarding headers (X-Forwarded-For, X-Forwarded-Proto, Forwarded, X-Real-IP,
  // X-Forwarded-Host) levee believes and extends; from any other peer it replaces them.
  policy::AddressSet trusted_proxies;

  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace levee::config
