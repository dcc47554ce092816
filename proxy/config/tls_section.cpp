#include "proxy/config/tls_section.h"

#include <filesystem>

namespace levee::config::detail {
namespace {

// A path from the config, as the process will open it: relative to the config file's
// directory, so a config works from any working directory.
std::string resolve(const std::string& config_source, const std::string& name) {
  if (name.empty()) return name;
  const std::filesystem::path path(name);
  if (path.is_absolute()) return name;
  return (std::filesystem::path(config_source).parent_path() / path).string();
}

}  // namespace

void read_listener_tls(MapReader& r, ListenerTlsConfig& tls) {
  r.require("cert_file");
  r.require("key_file");
  r.string("cert_file", tls.cert_file);
  r.string("key_file", tls.key_file);
  r.string("client_ca_file", tls.client_ca_file);
  std::string verify(name(tls.client_verify));
  r.one_of("client_verify", verify, {"off", "optional", "require"});
  tls.client_verify = verify == "require"    ? ClientVerify::require
                      : verify == "optional" ? ClientVerify::optional
                                             : ClientVerify::off;
  // TLS 1.0 and 1.1 are deprecated (RFC 8996): they are not a choice.
  r.one_of("min_version", tls.min_version, {"1.2", "1.3"});
  r.string("ciphers", tls.ciphers);
  r.duration("handshake_timeout", tls.handshake_timeout, {.min = std::chrono::milliseconds(10),
                                                          .max = std::chrono::minutes(5)});
}

void read_upstream_tls(MapReader& r, UpstreamTlsConfig& tls) {
  r.boolean("enabled", tls.enabled);
  r.string("ca_file", tls.ca_file);
  r.string("server_name", tls.server_name);
  r.boolean("verify", tls.verify);
}

void finalize_tls(Config& config, ReadContext& context) {
  for (UpstreamConfig& upstream : config.upstreams) upstream.tls.ca_file = resolve(config.source, upstream.tls.ca_file);
  ListenerTlsConfig& tls = config.listener.tls;
  if (context.has_errors_under("listener.tls")) return;
  const bool section_given = !tls.cert_file.empty() || !tls.key_file.empty();
  if (!section_given) return;
  if (tls.cert_file.empty()) context.error_at("listener.tls.cert_file", "must name a PEM certificate file");
  if (tls.key_file.empty()) context.error_at("listener.tls.key_file", "must name a PEM private key file");
  if (tls.client_verify != ClientVerify::off && tls.client_ca_file.empty())
    context.error_at("listener.tls.client_verify",
                     "client_verify needs client_ca_file (the CAs client certificates must chain to)");
  if (tls.client_verify == ClientVerify::off && !tls.client_ca_file.empty())
    context.error_at("listener.tls.client_ca_file",
                     "set client_verify to optional or require, or remove client_ca_file (it would be ignored)");
  tls.cert_file = resolve(config.source, tls.cert_file);
  tls.key_file = resolve(config.source, tls.key_file);
  tls.client_ca_file = resolve(config.source, tls.client_ca_file);
}

}  // namespace levee::config::detail
