// to_yaml(): the effective Config written back in the loader's own schema.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "proxy/config/endpoint.h"
#include "proxy/config/env.h"
#include "proxy/config/loader.h"
#include "proxy/config/units.h"

namespace levee::config {
namespace {

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
    out_ << YAML::Key << key << YAML::Value << escape_env(value);
  }
  void duration(const char* key, Duration value) { text(key, format_duration(value)); }
  void size(const char* key, std::uint64_t value) { text(key, format_size(value)); }
  void endpoint(const char* key, const Endpoint& value) { text(key, format_endpoint(value)); }
  void integer(const char* key, std::uint64_t value) { text(key, std::to_string(value)); }
  void boolean(const char* key, bool value) { text(key, value ? "true" : "false"); }

  YAML::Emitter& emitter() { return out_; }

 private:
  YAML::Emitter out_;
};

}  // namespace

std::string to_yaml(const Config& config) {
  Writer w;
  w.emitter() << YAML::Comment(fmt::format("effective configuration, loaded from {}", config.source))
              << YAML::BeginMap;

  w.begin("server");
  w.integer("threads", config.server.threads);
  w.duration("drain_timeout", config.server.drain_timeout);
  w.duration("drain_delay", config.server.drain_delay);
  w.end();

  const ListenerConfig& listener = config.listener;
  w.begin("listener");
  w.endpoint("address", listener.address);
  w.integer("max_connections", listener.max_connections);
  w.size("max_header_bytes", listener.max_header_bytes);
  w.size("max_body_bytes", listener.max_body_bytes);
  w.duration("header_timeout", listener.header_timeout);
  w.duration("idle_timeout", listener.idle_timeout);
  w.duration("body_timeout", listener.body_timeout);
  w.end();

  w.begin("admin");
  w.boolean("enabled", config.admin.enabled);
  w.endpoint("address", config.admin.address);
  w.end();

  w.begin("logging");
  w.text("level", config.logging.level);
  w.text("access_log", config.logging.access_log);
  w.end();

  w.begin_list("upstreams");
  for (const UpstreamConfig& upstream : config.upstreams) {
    w.begin_item();
    w.text("name", upstream.name);
    w.endpoint("address", upstream.address);
    w.integer("max_connections", upstream.max_connections);
    w.duration("connect_timeout", upstream.connect_timeout);
    w.duration("response_timeout", upstream.response_timeout);
    w.duration("idle_timeout", upstream.idle_timeout);
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
    w.end();
  }
  w.end_list();

  w.end();
  return fmt::format("{}\n", w.emitter().c_str());
}

}  // namespace levee::config
