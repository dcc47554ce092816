#pragma once
// The typed, defaulted, validated configuration of one levee process.
//
// Everything here is plain data: built once by the loader (loader.h) from YAML at the edge,
// then shared immutably (std::shared_ptr<const Config>) by the server. A reload builds a new
// Config next to the running one and swaps the pointer; no code below the loader ever sees a
// YAML node. Every field has a default, so an empty file is a valid config.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

struct ServerConfig {
  unsigned threads = 0;                                  // 0 = one worker per core
  Duration drain_timeout = std::chrono::seconds(15);     // SIGTERM: wait this long for in-flight
  Duration drain_delay = std::chrono::seconds(0);        // readiness 503 this long before closing

  friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

struct ListenerConfig {
  Endpoint address{"0.0.0.0", 8080};
  std::uint64_t max_connections = 10000;                 // beyond this, accept and answer 503
  std::uint64_t max_header_bytes = 64 * KiB;             // request line + headers; over -> 431
  std::uint64_t max_body_bytes = 1 * GiB;                // request body; over -> 413
  Duration header_timeout = std::chrono::seconds(10);    // whole header must arrive; else 408
  Duration idle_timeout = std::chrono::seconds(60);      // keep-alive wait for the next request
  Duration body_timeout = std::chrono::seconds(30);      // no body byte for this long -> close

  friend bool operator==(const ListenerConfig&, const ListenerConfig&) = default;
};

struct UpstreamConfig {
  std::string name;
  Endpoint address;
  std::uint64_t max_connections = 1024;                  // open to this upstream, in use + idle
  Duration connect_timeout = std::chrono::seconds(1);    // over -> 502 (connect failed)
  Duration response_timeout = std::chrono::seconds(30);  // request sent -> response header; 504
  Duration idle_timeout = std::chrono::seconds(30);      // pooled idle connection lifetime

  friend bool operator==(const UpstreamConfig&, const UpstreamConfig&) = default;
};

struct RouteConfig {
  std::string name;
  std::string host;                                      // empty: any Host
  std::string path_prefix = "/";
  std::string upstream;                                  // an UpstreamConfig::name

  friend bool operator==(const RouteConfig&, const RouteConfig&) = default;
};

struct AdminConfig {
  bool enabled = true;
  Endpoint address{"127.0.0.1", 9901};

  friend bool operator==(const AdminConfig&, const AdminConfig&) = default;
};

struct LoggingConfig {
  std::string level = "info";                            // trace|debug|info|warn|error|off
  std::string access_log;                                // "" off, "-" stdout, else a file path

  friend bool operator==(const LoggingConfig&, const LoggingConfig&) = default;
};

struct Config {
  std::string source;                                    // file the config came from (or "<string>")
  ServerConfig server;
  ListenerConfig listener;
  AdminConfig admin;
  LoggingConfig logging;
  std::vector<UpstreamConfig> upstreams;                 // at least one after loading
  std::vector<RouteConfig> routes;                       // at least one after loading

  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace levee::config
