#include "proxy/observability/admission_metrics.h"

namespace levee::observability {
namespace {

// Queue waits worth seeing run from sub-millisecond (a burst) to the max_wait bound (seconds).
prometheus::Histogram::BucketBoundaries queue_wait_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

void advance(prometheus::Counter* counter, std::uint64_t now, std::uint64_t before) {
  if (now > before) counter->Increment(static_cast<double>(now - before));
}

// Requests whose answer nobody would have received: shed before the service spent anything.
std::uint64_t late_avoided(const policy::Counters& counters) {
  return counters.shed_total(policy::ShedReason::deadline) + counters.shed_total(policy::ShedReason::client_gone);
}

}  // namespace

AdmissionMetrics::AdmissionMetrics(prometheus::Registry& registry, const std::string& group)
    : flows_(registry, group) {
  const prometheus::Labels labels{{"group", group}};
  auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(labels);
  };
  auto counter = [&](const char* name, const char* help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add(labels);
  };
  limit_ = gauge("levee_admission_limit", "Effective concurrency limit of the admission group");
  limit_min_ = gauge("levee_admission_limit_min",
                     "Floor of the adaptive limit (limit.min); 0 for a fixed limit, which has none");
  in_flight_ = gauge("levee_admission_in_flight", "Requests of the group in the service now");
  queue_length_ = gauge("levee_admission_queue_length", "Requests of the group waiting for a permit");
  recovery_mode_ = gauge("levee_admission_recovery_mode", "1 while the collapse detector holds the group in recovery");
  service_time_ = gauge("levee_admission_service_time_seconds", "Recent mean time a permit is held");
  queue_wait_ = &prometheus::BuildHistogram()
                     .Name("levee_admission_queue_wait_seconds")
                     .Help("Time queued requests waited before they got a permit")
                     .Register(registry)
                     .Add(labels, queue_wait_buckets());
  admitted_ = counter("levee_admitted_total", "Requests given a permit, at once or from the queue");
  queued_ = counter("levee_admission_queued_total", "Requests that had to wait in the queue");
  late_avoided_ = counter("levee_late_avoided_total",
                          "Requests shed because their caller could not have received the answer "
                          "(deadline passed or client gone)");
  recovery_entered_ = counter("levee_admission_recovery_entered_total", "Times the group entered recovery mode");

  auto& shed = prometheus::BuildCounter()
                   .Name("levee_shed_total")
                   .Help("Requests answered by levee instead of the service, by reason and priority")
                   .Register(registry);
  auto& would_shed = prometheus::BuildCounter()
                         .Name("levee_dry_run_would_shed_total")
                         .Help("Dry run: requests that would have been shed, by reason (they were forwarded)")
                         .Register(registry);
  for (const auto reason : policy::all_shed_reasons) {
    const std::string reason_label(policy::name(reason));
    for (const auto priority : policy::all_priorities) {
      shed_[policy::index(priority)][policy::index(reason)] = &shed.Add(
          {{"group", group}, {"reason", reason_label}, {"priority", std::string(policy::name(priority))}});
    }
    would_shed_[policy::index(reason)] = &would_shed.Add({{"group", group}, {"reason", reason_label}});
  }
}

void AdmissionMetrics::refresh(const policy::Snapshot& snapshot) {
  limit_->Set(snapshot.limit);
  limit_min_->Set(snapshot.limit_min);
  in_flight_->Set(snapshot.in_flight);
  queue_length_->Set(snapshot.queue_length);
  recovery_mode_->Set(snapshot.mode == policy::Mode::recovery ? 1 : 0);
  service_time_->Set(policy::to_seconds(snapshot.service_time));

  const policy::Counters& now = snapshot.counters;
  advance(admitted_, now.admitted, exported_.admitted);
  advance(queued_, now.queued, exported_.queued);
  advance(late_avoided_, late_avoided(now), late_avoided(exported_));
  advance(recovery_entered_, now.recovery_entered, exported_.recovery_entered);
  for (std::size_t p = 0; p < policy::priority_count; ++p)
    for (std::size_t r = 0; r < policy::shed_reason_count; ++r) advance(shed_[p][r], now.shed[p][r], exported_.shed[p][r]);
  for (std::size_t r = 0; r < policy::shed_reason_count; ++r)
    advance(would_shed_[r], now.would_shed[r], exported_.would_shed[r]);
  exported_ = now;
  flows_.refresh(snapshot);
}

}  // namespace levee::observability
