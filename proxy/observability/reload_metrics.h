#pragma once
// levee_config_reloads_total{result="applied"|"refused"}: one per SIGHUP or POST /reload. A
// dashboard draws an annotation where it rises, and an alert catches a config that no longer
// loads (refused reloads leave the old config running, which is easy to miss). Both series are
// created at start, so `increase()` sees the first reload. Thread safety: prometheus-cpp
// counters are atomic; reloads run on the control thread anyway.

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace levee::observability {

class ReloadMetrics {
 public:
  explicit ReloadMetrics(prometheus::Registry& registry);

  void count(bool applied) const { (applied ? applied_ : refused_)->Increment(); }

 private:
  prometheus::Counter* applied_ = nullptr;
  prometheus::Counter* refused_ = nullptr;
};

}  // namespace levee::observability
