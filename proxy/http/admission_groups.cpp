#include "proxy/http/admission_groups.h"

#include <fmt/format.h>

namespace levee::http {
namespace {

double ms(policy::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string group_json(const std::string& name, const policy::Snapshot& s) {
  std::string shed;
  for (const auto reason : policy::all_shed_reasons) {
    const auto total = s.counters.shed_total(reason);
    if (total == 0) continue;
    if (!shed.empty()) shed += ',';
    shed += fmt::format(R"("{}":{})", policy::name(reason), total);
  }
  std::string would_shed;
  for (const auto reason : policy::all_shed_reasons) {
    const auto total = s.counters.would_shed[policy::index(reason)];
    if (total == 0) continue;
    if (!would_shed.empty()) would_shed += ',';
    would_shed += fmt::format(R"("{}":{})", policy::name(reason), total);
  }
  // Group names are validated config names (letters, digits, '_', '.', '-'): no escaping needed.
  return fmt::format(
      R"({{"name":"{}","mode":"{}","limit":{},"limit_algorithm":{},"in_flight":{},"queue_length":{},)"
      R"("queue_order":"{}","codel_overloaded":{},"dry_run":{},"draining":{},"service_time_ms":{:.3f},)"
      R"("drain_rate_per_s":{:.1f},"retry_after_ms":{:.0f},"goodput_peak_per_s":{:.1f},)"
      R"("admitted":{},"admitted_from_queue":{},"queued":{},"succeeded":{},"dropped":{},"ignored":{},)"
      R"("recovery_entered":{},"shed":{{{}}},"would_shed":{{{}}}}})",
      name, policy::name(s.mode), s.limit, s.limit_algorithm, s.in_flight, s.queue_length,
      s.queue_order == policy::QueueOrder::lifo ? "lifo" : "fifo", s.codel_overloaded, s.dry_run, s.draining,
      ms(s.service_time), s.drain_rate, ms(s.retry_after), s.goodput_peak, s.counters.admitted,
      s.counters.admitted_from_queue, s.counters.queued, s.counters.succeeded, s.counters.dropped,
      s.counters.ignored, s.counters.recovery_entered, shed, would_shed);
}

}  // namespace

AdmissionGroups::AdmissionGroups(prometheus::Registry& registry, const policy::Clock& clock)
    : registry_(registry), clock_(clock) {}

std::vector<std::shared_ptr<AdmissionGate>> AdmissionGroups::apply(const config::Config& config) {
  std::map<std::string, std::shared_ptr<AdmissionGate>> next;
  std::lock_guard lock(mu_);
  if (config.admission.enabled) {
    for (const auto& group : config.admission.groups) {
      auto existing = gates_.find(group.name);
      if (existing != gates_.end()) {
        existing->second->reconfigure(group.settings);
        next.emplace(group.name, existing->second);
      } else {
        next.emplace(group.name, std::make_shared<AdmissionGate>(group.name, group.settings, clock_,
                                                                 observability::AdmissionMetrics(registry_, group.name)));
      }
    }
  }
  gates_ = std::move(next);
  std::vector<std::shared_ptr<AdmissionGate>> by_route;
  for (const auto& route : config.routes) {
    auto it = route.admission_group.empty() ? gates_.end() : gates_.find(route.admission_group);
    by_route.push_back(it == gates_.end() ? nullptr : it->second);
  }
  return by_route;
}

std::vector<std::shared_ptr<AdmissionGate>> AdmissionGroups::all() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<AdmissionGate>> gates;
  for (const auto& [name, gate] : gates_) gates.push_back(gate);
  return gates;
}

void AdmissionGroups::tick() {
  for (const auto& gate : all()) gate->tick();
}

void AdmissionGroups::refresh_metrics() {
  for (const auto& gate : all()) gate->refresh_metrics();
}

void AdmissionGroups::drain() {
  for (const auto& gate : all()) gate->drain();
}

std::string AdmissionGroups::state_json() const {
  std::string groups;
  for (const auto& gate : all()) {
    if (!groups.empty()) groups += ',';
    groups += group_json(gate->name(), gate->snapshot());
  }
  return fmt::format(R"({{"groups":[{}]}})", groups) + "\n";
}

}  // namespace levee::http
