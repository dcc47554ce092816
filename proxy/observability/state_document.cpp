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

nlohmann::json group_json(const GroupState& group) {
  const policy::Snapshot& s = group.snapshot;
  return {
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
}

}  // namespace

std::string render_state(const std::vector<GroupState>& groups) {
  nlohmann::json document{{"groups", nlohmann::json::array()}};
  for (const auto& group : groups) document["groups"].push_back(group_json(group));
  return document.dump() + "\n";
}

}  // namespace levee::observability
