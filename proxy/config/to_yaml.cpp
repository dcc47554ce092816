// to_yaml(): the effective Config written back in the loader's own schema.
#include <algorithm>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "proxy/config/cpu_list.h"
#include "proxy/config/endpoint.h"
#include "proxy/config/env.h"
#include "proxy/config/loader.h"
#include "proxy/config/units.h"

namespace levee::config {
namespace {

// yaml-cpp writes a string holding a control character (a bare CR, say) as a plain scalar, which
// reads back changed; such strings go out double-quoted, where the emitter escapes them.
bool needs_double_quotes(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

void write_string(YAML::Emitter& out, const std::string& value) {
  if (needs_double_quotes(value)) out << YAML::DoubleQuoted;
  out << value;
}

// One place turns typed values into the text the loader reads back; strings get '$'
// escaped so a literal "$" in a path is not taken for a ${VAR} on reload.
class Writer {
 public:
  void begin(const char* section) { out_ << YAML::Key << section << YAML::Value << YAML::BeginMap; }
  void end() { out_ << YAML::EndMap; }
  void begin_list(const char* key) { out_ << YAML::Key << key << YAML::Value << YAML::BeginSeq; }
  void begin_item() { out_ << YAML::BeginMap; }
  void end_list() { out_ << YAML::EndSeq; }

  void text(const char* key, std::string_view value) {
    out_ << YAML::Key << key << YAML::Value;
    write_string(out_, escape_env(value));
  }
  // Text already in the loader's syntax, written as is: a ${VAR} reference that must stay one.
  void reference(const char* key, std::string_view value) {
    out_ << YAML::Key << key << YAML::Value;
    write_string(out_, std::string(value));
  }
  void duration(const char* key, Duration value) { text(key, format_duration(value)); }
  void size(const char* key, std::uint64_t value) { text(key, format_size(value)); }
  void endpoint(const char* key, const Endpoint& value) { text(key, format_endpoint(value)); }
  void integer(const char* key, std::uint64_t value) { text(key, std::to_string(value)); }
  void boolean(const char* key, bool value) { text(key, value ? "true" : "false"); }
  void number(const char* key, double value) { text(key, fmt::format("{}", value)); }  // shortest exact
  void list(const char* key, const std::vector<std::string>& values) {
    out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& value : values) write_string(out_, value);
    out_ << YAML::EndSeq;
  }

  YAML::Emitter& emitter() { return out_; }

 private:
  YAML::Emitter out_;
};

std::string cpu_affinity_text(const CpuAffinity& affinity) {
  switch (affinity.mode) {
    case CpuAffinity::Mode::off: return "off";
    case CpuAffinity::Mode::automatic: return "auto";
    case CpuAffinity::Mode::listed: return format_cpu_list(affinity.cpus);
  }
  return "off";
}

void write_budget(Writer& w, const policy::RetryBudgetSettings& budget) {
  w.number("ratio", budget.ratio);
  w.number("min_per_second", budget.min_per_second);
  w.duration("window", budget.window);
  w.integer("max_concurrent", budget.max_concurrent);
}

void write_http2(Writer& w, const Http2Config& http2) {
  const h2::Http2Settings& s = http2.settings;
  w.begin("http2");
  w.boolean("enabled", http2.enabled);
  w.boolean("h2c", http2.h2c);
  w.integer("max_concurrent_streams", s.max_concurrent_streams);
  w.size("initial_window_size", s.initial_window_size);
  w.size("connection_window_size", s.connection_window_size);
  w.size("max_header_list_size", s.max_header_list_size);
  const policy::H2AbuseSettings& a = s.abuse;
  w.begin("abuse");
  w.duration("window", a.window);
  w.integer("max_resets_per_window", a.max_resets_per_window);
  w.number("max_reset_ratio", a.max_reset_ratio);
  w.integer("reset_ratio_min_streams", a.reset_ratio_min_streams);
  w.integer("max_settings_per_window", a.max_settings_per_window);
  w.integer("max_pings_per_window", a.max_pings_per_window);
  w.integer("max_priority_per_window", a.max_priority_per_window);
  w.integer("max_empty_data_per_window", a.max_empty_data_per_window);
  w.integer("max_window_updates_per_window", a.max_window_updates_per_window);
  w.integer("max_continuations", a.max_continuations);
  w.size("max_header_block_bytes", a.max_header_block_bytes);
  w.end();
  w.end();
}

void write_fairness(Writer& w, const policy::FairnessSettings& fairness) {
  w.begin("fairness");
  w.begin_list("key");
  for (const policy::FlowKeySource& source : fairness.key) {
    w.begin_item();
    const char* part = policy::name(source.part).data();  // a literal: NUL-terminated
    switch (source.part) {
      case policy::FlowKeyPart::client_address: w.boolean(part, true); break;
      case policy::FlowKeyPart::path_segment: w.integer(part, source.segment); break;
      case policy::FlowKeyPart::header:
      case policy::FlowKeyPart::query:
      case policy::FlowKeyPart::cookie: w.text(part, source.name); break;
    }
    w.boolean("hash", source.hash);
    w.end();
  }
  w.end_list();
  w.begin_list("flows");
  for (const policy::NamedFlowSettings& flow : fairness.flows) {
    w.begin_item();
    w.text("name", flow.name);
    w.text("key", flow.key);
    w.integer("weight", flow.weight);
    w.integer("cap", flow.cap);
    w.end();
  }
  w.end_list();
  w.integer("top_flows", fairness.top_flows);
  w.integer("recent_keys", fairness.recent_keys);
  w.end();
}

void write_admission_settings(Writer& w, const policy::AdmissionSettings& s) {
  const auto& limit = s.limit;
  w.begin("limit");
  w.text("kind", policy::name(limit.kind));
  w.integer("initial", limit.initial);
  w.integer("min", limit.min);
  w.integer("max", limit.max);
  w.begin("aimd");
  w.number("backoff_ratio", limit.aimd.backoff_ratio);
  w.number("increase", limit.aimd.increase);
  w.duration("timeout", limit.aimd.timeout);
  w.end();
  w.begin("gradient");
  w.number("tolerance", limit.gradient.tolerance);
  w.number("smoothing", limit.gradient.smoothing);
  w.integer("long_window", limit.gradient.long_window);
  w.duration("window", limit.gradient.window);
  w.integer("window_min_samples", limit.gradient.window_min_samples);
  w.duration("probe_interval", limit.gradient.probe_interval);
  w.end();
  w.begin("knee");
  w.duration("probe_interval", limit.knee.probe_interval);
  w.number("step", limit.knee.step);
  w.integer("phase_samples", limit.knee.phase_samples);
  w.number("tolerance", limit.knee.tolerance);
  w.end();
  w.end();
  const auto& queue = s.queue;
  w.begin("queue");
  w.integer("max_length", queue.max_length);
  w.duration("max_wait", queue.max_wait);
  w.text("order", queue.order == policy::QueueOrder::fifo ? "fifo" : queue.order == policy::QueueOrder::lifo ? "lifo" : "adaptive");
  w.duration("lifo_after", queue.lifo_after);
  w.duration("codel_target", queue.codel_target);
  w.duration("codel_interval", queue.codel_interval);
  w.end();
  w.number("critical_reserved_share", s.critical_reserved_share);
  w.begin("retry_budget");
  w.boolean("enabled", s.retry_budget_enabled);
  write_budget(w, s.retry_budget);
  w.end();
  const auto& collapse = s.collapse;
  w.begin("collapse");
  w.boolean("enabled", collapse.enabled);
  w.duration("window", collapse.window);
  w.number("goodput_drop", collapse.goodput_drop);
  w.number("busy_fraction", collapse.busy_fraction);
  w.number("peak_decay", collapse.peak_decay);
  w.number("clamp_factor", collapse.clamp_factor);
  w.integer("recovery_windows", collapse.recovery_windows);
  w.number("abandoned_share", collapse.abandoned_share);
  w.end();
  write_fairness(w, s.fairness);
  w.boolean("dry_run", s.dry_run);
  w.duration("estimate_window", s.estimate_window);
  w.begin("retry_after");
  w.duration("min", s.retry_after_min);
  w.duration("max", s.retry_after_max);
  w.end();
}

void write_route_guard(Writer& w, const Config& config, const RouteConfig& route) {
  w.text("priority", policy::name(route.priority));
  if (route.timeout) w.duration("timeout", *route.timeout);
  const bool own_group = std::any_of(config.admission.groups.begin(), config.admission.groups.end(),
                                     [&](const AdmissionGroupConfig& g) { return g.route_owned && g.name == route.admission_group; });
  if (!own_group && !route.admission_group.empty()) w.text("admission_group", route.admission_group);
  if (route.admission) {
    w.begin("admission");
    write_admission_settings(w, *route.admission);
    w.end();
  }
  const RetryConfig& retry = route.retry;
  w.begin("retry");
  w.integer("attempts", retry.attempts);
  std::vector<std::string> words;
  for (const auto kind : retry.retry_on) words.emplace_back(policy::name(kind));
  w.list("retry_on", words);
  std::vector<std::string> statuses;
  for (const auto status : retry.statuses) statuses.push_back(std::to_string(status));
  w.list("statuses", statuses);
  if (retry.per_try_timeout) w.duration("per_try_timeout", *retry.per_try_timeout);
  w.duration("backoff_base", retry.backoff_base);
  w.duration("backoff_max", retry.backoff_max);
  w.size("max_buffered_body", retry.max_buffered_body);
  w.begin("budget");
  write_budget(w, retry.budget);
  w.end();
  w.end();
}

}  // namespace

std::string to_yaml(const Config& config) {
  Writer w;
  w.emitter() << YAML::Comment(fmt::format("effective configuration, loaded from {}", config.source))
              << YAML::BeginMap;

  w.begin("server");
  w.integer("threads", config.server.threads);
  w.text("cpu_affinity", cpu_affinity_text(config.server.cpu_affinity));
  w.duration("drain_timeout", config.server.drain_timeout);
  w.duration("drain_delay", config.server.drain_delay);
  w.end();

  const ListenerConfig& listener = config.listener;
  w.begin("listener");
  w.endpoint("address", listener.address);
  w.integer("max_connections", listener.max_connections);
  w.integer("max_connections_per_client", listener.max_connections_per_client);
  w.size("max_header_bytes", listener.max_header_bytes);
  w.size("max_body_bytes", listener.max_body_bytes);
  w.duration("header_timeout", listener.header_timeout);
  w.duration("idle_timeout", listener.idle_timeout);
  w.duration("body_timeout", listener.body_timeout);
  w.size("max_buffered_request_body", listener.max_buffered_request_body);
  w.size("max_buffered_response_body", listener.max_buffered_response_body);
  w.size("min_transfer_rate", listener.min_transfer_rate);
  w.duration("transfer_rate_window", listener.transfer_rate_window);
  w.duration("transfer_rate_grace", listener.transfer_rate_grace);
  w.duration("max_transfer_time", listener.max_transfer_time);
  write_http2(w, listener.http2);
  if (listener.tls.enabled()) {
    w.begin("tls");
    w.text("cert_file", listener.tls.cert_file);
    w.text("key_file", listener.tls.key_file);
    if (!listener.tls.client_ca_file.empty()) w.text("client_ca_file", listener.tls.client_ca_file);
    w.text("client_verify", name(listener.tls.client_verify));
    w.text("min_version", listener.tls.min_version);
    if (!listener.tls.ciphers.empty()) w.text("ciphers", listener.tls.ciphers);
    w.duration("handshake_timeout", listener.tls.handshake_timeout);
    w.end();
  }
  w.end();

  w.begin("admin");
  w.boolean("enabled", config.admin.enabled);
  w.endpoint("address", config.admin.address);
  w.text("token_file", config.admin.token_file);  // the file's name, never the token
  w.end();

  w.begin("logging");
  w.text("level", config.logging.level);
  w.text("access_log", config.logging.access_log);
  w.text("access_log_format", std::string(name(config.logging.access_log_format)));
  w.end();

  w.begin_list("upstreams");
  for (const UpstreamConfig& upstream : config.upstreams) {
    w.begin_item();
    w.text("name", upstream.name);
    w.endpoint("address", upstream.address);
    w.text("protocol", std::string(name(upstream.protocol)));
    w.integer("max_connections", upstream.max_connections);
    w.duration("connect_timeout", upstream.connect_timeout);
    w.duration("response_timeout", upstream.response_timeout);
    w.duration("idle_timeout", upstream.idle_timeout);
    w.boolean("abort_on_client_close", upstream.abort_on_client_close);
    if (upstream.health_check.enabled()) {
      w.begin("health_check");
      w.text("path", upstream.health_check.path);
      w.duration("interval", upstream.health_check.interval);
      w.duration("timeout", upstream.health_check.timeout);
      w.integer("healthy_threshold", upstream.health_check.healthy_threshold);
      w.integer("unhealthy_threshold", upstream.health_check.unhealthy_threshold);
      w.end();
    }
    if (upstream.tls.enabled) {
      w.begin("tls");
      w.boolean("enabled", true);
      if (!upstream.tls.ca_file.empty()) w.text("ca_file", upstream.tls.ca_file);
      if (!upstream.tls.server_name.empty()) w.text("server_name", upstream.tls.server_name);
      w.boolean("verify", upstream.tls.verify);
      w.end();
    }
    w.end();
  }
  w.end_list();

  w.begin_list("routes");
  for (const RouteConfig& route : config.routes) {
    w.begin_item();
    w.text("name", route.name);
    w.text("host", route.host);
    w.text("path_prefix", route.path_prefix);
    w.text("upstream", route.upstream);
    w.list("upgrades", route.upgrades);
    write_route_guard(w, config, route);
    w.end();
  }
  w.end_list();

  w.begin("tunnels");
  w.integer("max", config.tunnels.max);
  w.duration("idle_timeout", config.tunnels.idle_timeout);
  w.duration("drain_grace", config.tunnels.drain_grace);
  w.end();

  w.begin("admission");
  w.boolean("enabled", config.admission.enabled);
  write_admission_settings(w, config.admission.defaults);
  w.begin_list("groups");
  for (const AdmissionGroupConfig& group : config.admission.groups) {
    if (group.route_owned) continue;  // written under its route
    w.begin_item();
    w.text("name", group.name);
    write_admission_settings(w, group.settings);
    w.end();
  }
  w.end_list();
  w.end();

  w.begin("shed_response");
  w.integer("status", config.shed_response.status);
  w.text("sorry_page", config.shed_response.sorry_page);
  w.end();

  w.begin("request_headers");
  w.text("retry", config.request_headers.retry);
  w.text("priority", config.request_headers.priority);
  w.text("deadline", config.request_headers.deadline);
  w.text("idempotency_key", config.request_headers.idempotency_key);
  w.end();

  const PriorityTrustConfig& trust = config.priority_trust;
  w.begin("priority_trust");
  w.list("peers", trust.peers.to_strings());
  w.text("secret_header", trust.secret_header);
  w.reference("secret", trust.secret);  // the reference, never the secret it names
  w.text("secret_file", trust.secret_file);
  w.end();

  w.list("trusted_proxies", config.trusted_proxies.to_strings());

  w.end();
  return fmt::format("{}\n", w.emitter().c_str());
}

}  // namespace levee::config
