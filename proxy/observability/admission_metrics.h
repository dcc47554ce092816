#pragma once
// The metrics of one admission group, all labelled {group="..."}.
//
// Admission already counts everything it decides (policy::Snapshot::counters), so the counters
// here are brought up to date at scrape time from a snapshot (increments of the difference)
// instead of being touched on the request path. Only the queue-wait histogram is observed on
// the request path, when a queued request gets its permit. Families are registered with the
// registry's Merge behaviour, so a group re-created by a reload continues its series. The
// per-flow series of fair admission: flow_metrics.h.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <string>

#include "proxy/observability/flow_metrics.h"
#include "proxy/policy/priority.h"
#include "proxy/policy/shed_reason.h"
#include "proxy/policy/snapshot.h"

namespace levee::observability {

class AdmissionMetrics {
 public:
  AdmissionMetrics(prometheus::Registry& registry, const std::string& group);

  // Request path, any thread.
  void observe_queue_wait(double seconds) const { queue_wait_->Observe(seconds); }

  // Scrape time. Not thread-safe: the caller serialises refreshes of one group.
  void refresh(const policy::Snapshot& snapshot);

 private:
  prometheus::Gauge* limit_ = nullptr;
  prometheus::Gauge* limit_min_ = nullptr;
  prometheus::Gauge* in_flight_ = nullptr;
  prometheus::Gauge* queue_length_ = nullptr;
  prometheus::Gauge* recovery_mode_ = nullptr;
  prometheus::Gauge* service_time_ = nullptr;
  prometheus::Histogram* queue_wait_ = nullptr;
  prometheus::Counter* admitted_ = nullptr;
  prometheus::Counter* queued_ = nullptr;
  prometheus::Counter* late_avoided_ = nullptr;
  prometheus::Counter* recovery_entered_ = nullptr;
  std::array<std::array<prometheus::Counter*, policy::shed_reason_count>, policy::priority_count> shed_{};
  std::array<prometheus::Counter*, policy::shed_reason_count> would_shed_{};
  policy::Counters exported_;  // what the counters above show already
  FlowMetrics flows_;          // fair admission, per named flow
};

}  // namespace levee::observability
