#include "proxy/http/admission_groups.h"

namespace levee::http {
AdmissionGroups::AdmissionGroups(prometheus::Registry& registry, const policy::Clock& clock,
                                 std::function<void()> on_queued)
    : registry_(registry), clock_(clock), on_queued_(std::move(on_queued)) {}

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
                                                                 observability::AdmissionMetrics(registry_, group.name),
                                                                 on_queued_));
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

bool AdmissionGroups::tick() {
  // Under the lock rather than through all()'s copy, so the tick allocates nothing. A gate's
  // tick takes only its own locks (apply() takes them in the same order) and posts its
  // wake-ups, so the lock is held for microseconds.
  std::lock_guard lock(mu_);
  bool soon = false;
  for (const auto& [name, gate] : gates_) soon = gate->tick() || soon;
  return soon;
}

void AdmissionGroups::refresh_metrics() {
  for (const auto& gate : all()) gate->refresh_metrics();
}

void AdmissionGroups::drain() {
  for (const auto& gate : all()) gate->drain();
}

std::vector<observability::GroupState> AdmissionGroups::states() const {
  std::vector<observability::GroupState> states;
  for (const auto& gate : all()) states.push_back({gate->name(), gate->snapshot()});
  return states;
}

}  // namespace levee::http
