#pragma once
// The verdict of an upstream's active health checks: healthy or not, from the outcomes of its
// probes, in the manner of Kubernetes probes and Envoy's health checker.
//
// Algorithm: a healthy upstream turns unhealthy after `unhealthy` consecutive failed probes,
// an unhealthy one turns healthy after `healthy` consecutive passed probes. An upstream starts
// unhealthy (nothing is known yet), and its first passed probe ever makes it healthy at once,
// whatever `healthy` says: a pod must not wait several intervals to become ready at start,
// only to come back after a failure (that is what the threshold guards against: a service
// that flaps between answering and not).
//
// Pure: time comes in as data (only to tell how long the verdict has held). Not thread-safe;
// one owner (the health checker, on the control thread).

#include <string>
#include <string_view>

#include "proxy/policy/clock.h"

namespace levee::policy {

struct HealthThresholds {
  unsigned healthy = 1;    // consecutive passes that make an unhealthy upstream healthy
  unsigned unhealthy = 2;  // consecutive failures that make a healthy upstream unhealthy
};

class UpstreamHealth {
 public:
  UpstreamHealth(HealthThresholds thresholds, TimePoint now);

  // Called once per probe, when it ended, with whether it passed and, when it failed, why
  // ("connection refused", "status 500"). Returns true when the verdict changed.
  bool record(bool passed, std::string_view failure, TimePoint now);

  bool healthy() const { return healthy_; }
  // The last failed probe's reason; "no probe has passed yet" before the first probe.
  const std::string& last_failure() const { return last_failure_; }
  // How long the current verdict has held.
  Duration verdict_age(TimePoint now) const { return now - verdict_since_; }

 private:
  HealthThresholds thresholds_;
  bool healthy_ = false;
  bool ever_passed_ = false;
  unsigned passes_in_a_row_ = 0;
  unsigned failures_in_a_row_ = 0;
  TimePoint verdict_since_;
  std::string last_failure_ = "no probe has passed yet";
};

}  // namespace levee::policy
