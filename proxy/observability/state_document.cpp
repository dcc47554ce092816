#include "proxy/observability/state_document.h"

#include <nlohmann/json.hpp>

#include <chrono>

namespace levee::observability {
namespace {

double ms(policy::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Reason -> count, only the reasons that happened (the full list is in the README).
template <class Count>
nlohmann::json by_reason(Count count) {
  nlohmann::json reasons = nlohmann::json::object();
  for (const auto reason : policy::all_shed_reasons)
    if (const auto total = count(reason)) reasons[std::string(policy::name(reason))] = total;
  return reasons;
}

// Labels are printable ASCII (http/flow_key.h escapes the rest); render_state still replaces
// bad UTF-8 rather than throw, since a label comes from a client.
nlohmann::json flows_json(const std::vector<policy::FlowStats>& flows) {
  nlohmann::json list = nlohmann::json::array();
  for (const policy::FlowStats& flow : flows) {
    list.push_back({{"flow", flow.label},
                    {"admitted", flow.admitted},
                    {"shed", flow.shed},
                    {"in_flight", flow.in_flight},
                    {"queued", flow.queued},
                    {"share", flow.share}});
  }
  return list;
}

nlohmann::json group_json(const GroupState& group) {
  const policy::Snapshot& s = group.snapshot;
  nlohmann::json json = {
      {"name", group.name},
      {"mode", policy::name(s.mode)},
      {"limit", s.limit},
      {"limit_algorithm", s.limit_algorithm},
      {"in_flight", s.in_flight},
      {"queue_length", s.queue_length},
      {"queue_order", s.queue_order == policy::QueueOrder::lifo ? "lifo" : "fifo"},
      {"codel_overloaded", s.codel_overloaded},
      {"dry_run", s.dry_run},
      {"draining", s.draining},
      {"service_time_ms", ms(s.service_time)},
      {"drain_rate_per_s", s.drain_rate},
      {"retry_after_ms", ms(s.retry_after)},
      {"goodput_peak_per_s", s.goodput_peak},
      {"admitted", s.counters.admitted},
      {"admitted_from_queue", s.counters.admitted_from_queue},
      {"queued", s.counters.queued},
      {"succeeded", s.counters.succeeded},
      {"dropped", s.counters.dropped},
      {"ignored", s.counters.ignored},
      {"abandoned", s.counters.abandoned},
      {"recovery_entered", s.counters.recovery_entered},
      {"shed", by_reason([&](policy::ShedReason r) { return s.counters.shed_total(r); })},
      {"would_shed", by_reason([&](policy::ShedReason r) { return s.counters.would_shed[policy::index(r)]; })},
  };
  if (s.fair) {
    json["fairness"] = {{"flows_active", s.flows_active},
                        {"top_flows", flows_json(s.top_flows)},
                        {"named_flows", flows_json(s.named_flows)}};
  }
  return json;
}

}  // namespace

std::string render_state(const std::vector<GroupState>& groups, const TunnelState& tunnels, const TlsState& tls,
                         const Http2State& http2) {
  nlohmann::json document{{"groups", nlohmann::json::array()}};
  for (const auto& group : groups) document["groups"].push_back(group_json(group));
  nlohmann::json by_route = nlohmann::json::object();
  std::uint64_t open = 0;
  for (const auto& [route, count] : tunnels.open_by_route) {
    by_route[route] = count;
    open += count;
  }
  document["tunnels"] = {{"open", open}, {"max", tunnels.max}, {"reserved_or_open", tunnels.taken}, {"open_by_route", by_route}};
  nlohmann::json tls_json{{"enabled", tls.enabled}};
  if (tls.enabled) {
    nlohmann::json handshakes = nlohmann::json::object();
    for (const auto& [result, count] : tls.handshakes) handshakes[result] = count;
    tls_json["certificate_file"] = tls.certificate_file;
    tls_json["certificate_expiry_timestamp_seconds"] = tls.certificate_expiry;
    tls_json["handshakes"] = handshakes;
  }
  document["tls"] = tls_json;
  nlohmann::json abuse = nlohmann::json::object();
  for (const auto& [rule, count] : http2.abuse) abuse[rule] = count;
  document["http2"] = {{"enabled", http2.enabled}, {"h2c", http2.h2c}, {"connections", http2.connections},
                       {"streams", http2.streams}, {"abuse", abuse}};
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace levee::observability
