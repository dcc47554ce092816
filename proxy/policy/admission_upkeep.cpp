// Admission's upkeep (admission.h): the periodic tick -- queue expiry, the service-time
// estimate, the collapse detector and the recovery clamp it sets -- and the group's settings,
// drain and snapshot. Arrivals, releases and the queue's hand-offs are in admission.cpp.

#include "proxy/policy/admission.h"

#include <algorithm>
#include <cmath>

namespace levee::policy {

// ---- periodic work -------------------------------------------------------------------------

Effects Admission::on_tick(TimePoint now) {
  Effects effects;
  const std::lock_guard lock(mu_);
  now_of_last_tick_ = now;
  queue_.observe(now);
  fairness_.on_tick(now);

  const std::uint64_t successes = hot_.completed[index(Outcome::success)].load();
  // Abandoned exchanges measured the service too: their RTT is a lower bound, and leaving them
  // out would keep only the fast ones.
  const std::uint64_t measured = successes + hot_.completed[index(Outcome::dropped)].load() +
                                 hot_.completed[index(Outcome::abandoned)].load();
  estimator_.on_tick(now, measured, Duration{hot_.service_ns.load()});

  const Duration target = settings_.queue.codel_target;
  CollapseDetector::Tick tick;
  tick.successes = successes;
  tick.busy = hot_.in_flight.load() >= hot_.limit.load() || !queue_.empty();
  tick.waits_high = queue_.congested() ||
                    (target > Duration::zero() && queue_.oldest_age(now) > target);
  tick.abandoned = hot_.completed[index(Outcome::abandoned)].load();
  tick.finished = measured;
  // Releasing the clamp is safe when the limit it would restore is near it: an adaptive limit
  // that followed the service. A fixed limit far above the clamp would refill the service.
  tick.release_safe = clamp_ != 0 && limit_->learned() <= clamp_ + clamp_ / 2;
  // Slow: the recent service time half again above its uncongested baseline (or no estimate).
  tick.service_slow = estimator_.baseline() <= Duration::zero() ||
                      estimator_.service_time() * 2 > estimator_.baseline() * 3;
  const std::uint64_t windows_before = collapse_windows_;
  if (collapse_.on_tick(now, tick)) {
    enter_mode(collapse_.mode());
  } else if (collapse_.mode() == Mode::recovery && collapse_.cause() == CollapseDetector::Cause::abandoned &&
             collapse_.last_abandoned_share() >= settings_.collapse.abandoned_share && clamp_ > clamp_floor() &&
             collapse_.windows() != windows_before && now - recovery_since_ > 2 * settings_.collapse.window) {
    // Still abandoned two windows into recovery (the backlog the clamp found had a window to
    // drain): the clamp was too generous. Halve it.
    clamp_ = std::max(clamp_floor(), clamp_ / 2);
    refresh_limit();
  }
  collapse_windows_ = collapse_.windows();

  // Serve what can go now, then judge the rest by where they stand in the queue.
  refresh_limit();
  pump(now, effects);
  std::optional<ShedReason> reason;
  queue_.remove_if(
      now,
      [&](const QueueEntry& entry, std::size_t position) {
        reason = expiry(entry, position, now);
        return reason.has_value();
      },
      [&](const QueueEntry& entry) {
        if (*reason == ShedReason::stale) queue_.note_overload_shed(now);
        shed_queued(entry, *reason, effects);
      });
  publish_queue_length();
  return effects;
}

std::uint32_t Admission::clamp_floor() const {
  return std::max<std::uint32_t>(settings_.limit.kind == LimitKind::fixed ? 1 : settings_.limit.min, 1);
}

void Admission::enter_mode(Mode mode) {
  if (mode == Mode::recovery) {
    ++recovery_entered_;
    recovery_since_ = now_of_last_tick_;
    // Little's law: the concurrency that carries a rate at the uncongested service time, with
    // 20% headroom. For a goodput fall the rate is the recent peak goodput. For abandoned
    // exchanges it is what the service finished -- on time or not -- in the window (it ran
    // at full rate; only nobody received the answers), or the peak if that was higher.
    // Without an estimate, a fixed fraction of the current limit.
    const std::uint32_t current = limit_->learned();  // not a probe's temporary pin
    const double rate = collapse_.cause() == CollapseDetector::Cause::abandoned
                            ? std::max(collapse_.peak(), collapse_.last_finished_rate())
                            : collapse_.peak();
    const double little = rate * to_seconds(estimator_.baseline()) * 1.2;
    const double clamp = little > 0 ? std::min<double>(current, std::ceil(little))
                                    : std::floor(current * settings_.collapse.clamp_factor);
    clamp_ = std::max(clamp_floor(), static_cast<std::uint32_t>(clamp));
    queue_.force_lifo(true);
  } else {
    clamp_ = 0;
    queue_.force_lifo(false);
  }
  refresh_limit();
}

void Admission::refresh_limit() {
  std::uint32_t limit = limit_->current();
  if (clamp_ != 0) limit = std::min(limit, clamp_);
  limit = std::max<std::uint32_t>(limit, 1);
  const double share = std::clamp(settings_.critical_reserved_share, 0.0, 1.0);
  // The epsilon keeps 10 x 0.3 (= 3.0000000000000004) from rounding up to 4.
  const auto reserved = std::min<std::uint32_t>(
      limit - 1, static_cast<std::uint32_t>(std::ceil(limit * share - 1e-9)));
  hot_.limit.store(limit);
  hot_.normal_cap.store(limit - reserved);
}

// ---- settings, drain, snapshot -------------------------------------------------------------

Effects Admission::reconfigure(const AdmissionSettings& settings, TimePoint now) {
  Effects effects;
  const std::lock_guard lock(mu_);
  if (settings.limit != settings_.limit) {
    const bool keep = settings.limit.kind == settings_.limit.kind &&
                      settings.limit.kind != LimitKind::fixed;
    limit_ = make_limit(settings.limit, keep ? limit_->learned() : 0);
  }
  settings_ = settings;
  queue_.reconfigure(settings.queue);
  while (queue_.size() > settings.queue.max_length) {
    shed_queued(queue_.pop_lowest(now), ShedReason::queue_full, effects);
  }
  estimator_.set_window(settings.estimate_window);
  const bool was_recovering = collapse_.mode() == Mode::recovery;
  collapse_.reconfigure(settings.collapse);
  if (was_recovering && collapse_.mode() == Mode::normal) enter_mode(Mode::normal);
  retry_budget_.reconfigure(settings.retry_budget, now);
  hot_.sampled.store(settings.limit.kind != LimitKind::fixed);
  hot_.budget_enabled.store(settings.retry_budget_enabled);
  hot_.dry_run.store(settings.dry_run);
  fairness_.reconfigure(settings.fairness, now);
  hot_.fair.store(settings.fairness.enabled());
  refresh_limit();
  pump(now, effects);
  return effects;
}

Effects Admission::drain(TimePoint now) {
  Effects effects;
  hot_.draining.store(true);
  const std::lock_guard lock(mu_);
  while (!queue_.empty()) shed_queued(queue_.pop_next(now), ShedReason::draining, effects);
  publish_queue_length();
  return effects;
}

Snapshot Admission::snapshot(TimePoint now) const {
  Snapshot s;
  const std::lock_guard lock(mu_);
  s.limit = hot_.limit.load();
  s.limit_algorithm = limit_->current();
  s.limit_min = settings_.limit.kind == LimitKind::fixed ? 0 : settings_.limit.min;
  s.in_flight = hot_.in_flight.load();
  s.queue_length = static_cast<std::uint32_t>(queue_.size());
  s.mode = collapse_.mode();
  s.queue_order = queue_.order(now);
  s.codel_overloaded = queue_.congested();
  s.dry_run = hot_.dry_run.load();
  s.draining = hot_.draining.load();
  s.service_time = estimator_.service_time();
  s.drain_rate = s.service_time > Duration::zero() ? s.limit / to_seconds(s.service_time) : 0;
  const Duration drain_time = s.service_time > Duration::zero()
                                  ? estimated_wait(queue_.size())
                                  : settings_.retry_after_min;
  s.retry_after = std::clamp(drain_time, settings_.retry_after_min,
                             std::max(settings_.retry_after_min, settings_.retry_after_max));
  s.goodput_peak = collapse_.peak();

  Counters& c = s.counters;
  c.succeeded = hot_.completed[index(Outcome::success)].load();
  c.ignored = hot_.completed[index(Outcome::ignored)].load();
  c.dropped = hot_.completed[index(Outcome::dropped)].load();
  c.abandoned = hot_.completed[index(Outcome::abandoned)].load();
  c.admitted = c.succeeded + c.ignored + c.dropped + c.abandoned + s.in_flight;
  c.admitted_from_queue = admitted_from_queue_;
  c.queued = queued_;
  for (std::size_t p = 0; p < priority_count; ++p) {
    for (std::size_t r = 0; r < shed_reason_count; ++r) c.shed[p][r] = shed_[p][r].load();
  }
  for (std::size_t r = 0; r < shed_reason_count; ++r) c.would_shed[r] = would_shed_[r].load();
  c.would_queue = would_queue_.load();
  c.recovery_entered = recovery_entered_;
  fairness_.fill(s, queue_.flows());
  return s;
}

}  // namespace levee::policy
