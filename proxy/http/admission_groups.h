#pragma once
// Every admission group of the process, by name, across reloads.
//
// apply() is called with each new Config: groups that exist keep their state (the learned
// limit, the queue) and take the new settings; new groups are created; groups that left the
// config are forgotten here but live on while a request still holds one of their permits.
// It returns the gate of each route, parallel to Config::routes (null: route unguarded).
// Thread safety: all methods may be called from any thread.

#include <prometheus/registry.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/http/admission_gate.h"
#include "proxy/observability/state_document.h"
#include "proxy/policy/clock.h"

namespace levee::http {

class AdmissionGroups {
 public:
  // `on_queued`: see AdmissionGate (each group's gate calls it).
  AdmissionGroups(prometheus::Registry& registry, const policy::Clock& clock, std::function<void()> on_queued = {});

  std::vector<std::shared_ptr<AdmissionGate>> apply(const config::Config& config);
  bool tick();             // every group's; whether any needs the next tick soon
  void refresh_metrics();  // scrape time
  void drain();            // shutdown: shed every waiter
  std::vector<observability::GroupState> states() const;  // for the admin /state document

 private:
  std::vector<std::shared_ptr<AdmissionGate>> all() const;

  prometheus::Registry& registry_;
  const policy::Clock& clock_;
  const std::function<void()> on_queued_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<AdmissionGate>> gates_;
};

}  // namespace levee::http
