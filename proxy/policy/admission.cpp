#include "proxy/policy/admission.h"

#include <algorithm>
#include <cmath>

namespace levee::policy {

namespace {

// How long after the last critical arrival its reserved share stays closed to other classes.
// Between critical callers the reserve is lent out; a critical caller who finds it lent
// waits at the head of the queue for the next free slot, and closes it again for this long.
constexpr Duration critical_reserve_hold = std::chrono::seconds(1);

}  // namespace

Admission::Admission(const AdmissionSettings& settings, TimePoint now)
    : retry_budget_(settings.retry_budget, now),
      settings_(settings),
      limit_(make_limit(settings.limit)),
      queue_(settings.queue, now),
      fairness_(settings.fairness, now),
      estimator_(settings.estimate_window, now),
      collapse_(settings.collapse, now) {
  hot_.dry_run.store(settings.dry_run);
  hot_.sampled.store(settings.limit.kind != LimitKind::fixed);
  hot_.budget_enabled.store(settings.retry_budget_enabled);
  hot_.fair.store(settings.fairness.enabled());
  const std::lock_guard lock(mu_);
  refresh_limit();
}

Admission::~Admission() = default;

// ---- lock-free helpers ---------------------------------------------------------------------

std::uint32_t Admission::cap_for(Priority priority, TimePoint now) const {
  if (priority == Priority::critical) return hot_.limit.load();
  const bool reserved =
      now.time_since_epoch().count() < hot_.reserve_until.load(std::memory_order_relaxed);
  return reserved ? hot_.normal_cap.load() : hot_.limit.load();
}

// Takes one in-flight slot if the count is below `cap`; returns the new count, or 0.
std::uint32_t Admission::try_acquire(std::uint32_t cap) {
  std::uint32_t current = hot_.in_flight.load();
  while (current < cap) {
    if (hot_.in_flight.compare_exchange_weak(current, current + 1)) return current + 1;
  }
  return 0;
}

void Admission::count_shed(Priority priority, ShedReason reason) {
  shed_[index(priority)][index(reason)].fetch_add(1, std::memory_order_relaxed);
}

Decision Admission::reject(const Ticket& ticket, ShedReason reason) {
  count_shed(ticket.priority, reason);
  Decision decision;
  decision.kind = Decision::Kind::rejected;
  decision.reason = reason;
  return decision;
}

// ---- try_admit -----------------------------------------------------------------------------

Decision Admission::try_admit(const Ticket& ticket, TimePoint now) {
  if (auto decided = decide_now(ticket, now)) return std::move(*decided);
  return admit_or_queue(ticket, now);
}

std::optional<Decision> Admission::decide_now(const Ticket& ticket, TimePoint now) {
  if (ticket.priority == Priority::critical) {
    hot_.reserve_until.store((now + critical_reserve_hold).time_since_epoch().count(),
                             std::memory_order_relaxed);
  }
  if (hot_.dry_run.load(std::memory_order_relaxed)) return admit_dry_run(ticket, now);
  if (ticket.deadline && *ticket.deadline <= now) return reject(ticket, ShedReason::deadline);

  if (ticket.is_retry) {
    // Checked before spending a token so a retry shed for load does not also drain the budget.
    if (hot_.waiters.load() != 0 || hot_.in_flight.load() >= cap_for(ticket.priority, now)) {
      return reject(ticket, ShedReason::retry_shed);
    }
    if (hot_.budget_enabled.load(std::memory_order_relaxed) && !retry_budget_.try_spend(now)) {
      return reject(ticket, ShedReason::retry_budget);
    }
  } else if (hot_.budget_enabled.load(std::memory_order_relaxed)) {
    retry_budget_.on_request(now);
  }

  if (hot_.fair.load(std::memory_order_relaxed)) {
    // Flows are counted under the lock. A free slot and no queue: decided here, so the
    // caller need not get ready to wait (it would not).
    if (hot_.waiters.load() != 0 || hot_.in_flight.load() >= cap_for(ticket.priority, now)) return std::nullopt;
    const std::lock_guard lock(mu_);
    // Both checked again under the lock: another worker may have taken the last slot between
    // the look above and here, and this request must then wait, not be turned away.
    if (!queue_.empty() || hot_.in_flight.load() >= cap_for(ticket.priority, now)) return std::nullopt;
    const FlowArrival flow = arrive(ticket);
    if (const auto capped = over_cap(ticket, flow)) return std::move(*capped);
    if (const std::uint32_t in_flight = try_acquire(cap_for(ticket.priority, now))) {
      return admit_flow(ticket, flow, in_flight, now);
    }
    // Only a reload's race (a permit taken outside the lock) gets here; the flow was counted
    // as arrived, so this request is decided now too.
    return turn_away(ticket, flow, ShedReason::over_limit, {});
  }
  if (hot_.waiters.load() == 0) {
    if (const std::uint32_t in_flight = try_acquire(cap_for(ticket.priority, now))) {
      Decision decision;
      decision.kind = Decision::Kind::admitted;
      decision.permit = Permit{ticket.id, now, in_flight};
      return decision;
    }
  }
  return std::nullopt;
}

// The request's flow, counted as arrived. Without a key every request is the one keyless flow,
// and nothing is counted.
Admission::FlowArrival Admission::arrive(const Ticket& ticket) {
  FlowArrival arrival;
  arrival.fair = hot_.fair.load(std::memory_order_relaxed);
  if (arrival.fair) {
    arrival.id = fairness_.resolve(ticket);
    arrival.traits = fairness_.traits(ticket);
  }
  arrival.slot = queue_.flow_slot(arrival.id, arrival.traits);
  if (queue_.flow(arrival.slot).traits != arrival.traits) queue_.set_flow_traits(arrival.slot, arrival.traits);
  if (arrival.fair) arrival.top = &fairness_.arrived(arrival.id, ticket);
  return arrival;
}

std::optional<Decision> Admission::over_cap(const Ticket& ticket, const FlowArrival& arrival) {
  const Flow& flow = queue_.flow(arrival.slot);
  if (arrival.traits.cap == 0 || flow.in_flight + flow.waiting < arrival.traits.cap) return std::nullopt;
  return turn_away(ticket, arrival, ShedReason::flow_cap, {});
}

Decision Admission::admit_flow(const Ticket& ticket, const FlowArrival& arrival, std::uint32_t in_flight,
                               TimePoint now) {
  publish_queue_length();
  Decision decision;
  decision.kind = Decision::Kind::admitted;
  decision.permit = Permit{ticket.id, now, in_flight, arrival.id, arrival.fair};
  if (arrival.fair) {
    queue_.flow_admitted(arrival.slot);
    fairness_.admitted_at_arrival(*arrival.top, arrival.traits.named);
  } else {
    queue_.forget_if_idle(arrival.slot);
  }
  return decision;
}

Decision Admission::turn_away(const Ticket& ticket, const FlowArrival& arrival, ShedReason reason, Effects effects) {
  if (arrival.fair) fairness_.shed_at_arrival(*arrival.top, arrival.traits.named);
  queue_.forget_if_idle(arrival.slot);
  publish_queue_length();
  Decision rejected = reject(ticket, reason);
  rejected.effects = std::move(effects);
  return rejected;
}

Decision Admission::admit_or_queue(const Ticket& ticket, TimePoint now) {
  const TimePoint arrival = ticket.arrival == TimePoint{} ? now : ticket.arrival;
  Decision decision;
  const std::lock_guard lock(mu_);
  pump(now, decision.effects);  // serve earlier waiters first if slots are free

  const FlowArrival flow = arrive(ticket);
  if (auto capped = over_cap(ticket, flow)) {
    capped->effects = std::move(decision.effects);
    return std::move(*capped);
  }

  // Announce the would-be waiter before the last attempt (see the class comment).
  hot_.waiters.store(static_cast<std::uint32_t>(queue_.size() + 1));
  const std::size_t ahead = queue_.ahead_of(ticket.priority, flow.slot, now);
  if (ahead == 0 && !(ticket.is_retry && !queue_.empty())) {
    if (const std::uint32_t in_flight = try_acquire(cap_for(ticket.priority, now))) {
      Decision admitted = admit_flow(ticket, flow, in_flight, now);
      admitted.effects = std::move(decision.effects);
      return admitted;
    }
  }

  if (const auto reason = overflow_reason(ticket, queue_.size(), ahead, now)) {
    const QueueEntry* lowest = queue_.peek_lowest();
    const std::uint32_t heaviest = flow.fair && *reason == ShedReason::queue_full
                                       ? queue_.heaviest_waiting(ticket.priority)
                                       : AdmissionQueue::npos;
    if (*reason == ShedReason::queue_full && lowest != nullptr && lowest->priority > ticket.priority) {
      // A full queue makes room for a higher class by shedding its lowest waiter.
      shed_queued(queue_.pop_lowest(now), ShedReason::priority, decision.effects);
    } else if (heaviest != AdmissionQueue::npos && heaviest != flow.slot && queue_.heavier(heaviest, flow.slot, 1)) {
      // ... and for a lighter flow by shedding the heaviest flow's oldest waiter.
      shed_queued(queue_.pop_oldest_of(heaviest, ticket.priority, now), ShedReason::fair_share, decision.effects);
    } else {
      if (*reason == ShedReason::queue_full && queue_.congested()) queue_.note_overload_shed(now);
      // Turned away as the heaviest flow while lighter ones wait: its share, not the queue.
      const bool others_wait = heaviest != AdmissionQueue::npos &&
                               queue_.size(ticket.priority) > queue_.flow(flow.slot).classes[index(ticket.priority)].size;
      return turn_away(ticket, flow, others_wait ? ShedReason::fair_share : *reason, std::move(decision.effects));
    }
  }
  // Taken again: shedding a waiter of the same flow to make room may have let its slot go.
  const std::uint32_t slot = queue_.flow_slot(flow.id, flow.traits);
  queue_.push(QueueEntry{ticket.id, ticket.priority, arrival, ticket.deadline.value_or(TimePoint::max())}, slot,
              now);
  ++queued_;
  publish_queue_length();
  decision.kind = Decision::Kind::queued;
  return decision;
}

// Why a request that finds the group at its limit is not queued behind `queued` waiters
// (`ahead` of them before it); none: it waits. The live path and dry run both decide here.
std::optional<ShedReason> Admission::overflow_reason(const Ticket& ticket, std::size_t queued, std::size_t ahead,
                                                     TimePoint now) const {
  // Shutting down: a request served at once still completes, one that would wait is told
  // to go elsewhere now rather than after the drain.
  if (hot_.draining.load(std::memory_order_relaxed)) return ShedReason::draining;
  if (ticket.is_retry) return ShedReason::retry_shed;
  if (ticket.priority == Priority::sheddable &&
      (queue_.congested() || collapse_.mode() == Mode::recovery)) {
    return ShedReason::priority;
  }
  if (settings_.queue.max_length == 0) return ShedReason::over_limit;
  if (ticket.deadline) {
    const Duration wait = estimated_wait(ahead);
    if (wait > Duration::zero() && now + wait > *ticket.deadline) return ShedReason::deadline;
  }
  if (queued >= queue_capacity()) return ShedReason::queue_full;
  return std::nullopt;
}

// How many may wait. A standing (congested) queue is cut to what drains in half the CoDel
// target: every waiter in it then starts in time, and every caller beyond it is answered at
// the door in microseconds instead of being shed as stale after waiting. Half, so that the
// estimate's error does not push the last waiter past the target.
std::size_t Admission::queue_capacity() const {
  const std::size_t max_length = settings_.queue.max_length;
  const Duration target = settings_.queue.codel_target;
  const Duration service = estimator_.service_time();
  if (!queue_.congested() || target <= Duration::zero() || service <= Duration::zero()) {
    return max_length;
  }
  const double drained = to_seconds(target) / 2 * hot_.limit.load() / to_seconds(service);
  const auto bound = static_cast<std::size_t>(std::max(1.0, std::ceil(drained)));
  return std::min(max_length, bound);
}

// Time until the entry with `ahead` waiters before it gets a permit: the group turns over
// limit permits per service time. Zero when there is no estimate yet.
Duration Admission::estimated_wait(std::size_t ahead) const {
  const Duration service = estimator_.service_time();
  const std::uint32_t limit = std::max<std::uint32_t>(hot_.limit.load(), 1);
  return service * static_cast<Duration::rep>(ahead + 1) / limit;
}

Decision Admission::admit_dry_run(const Ticket& ticket, TimePoint now) {
  // Admit everything; work out what the live group would have done from the in-flight count
  // alone (in dry run nobody waits, so the excess over the limit plays the queue).
  std::optional<ShedReason> would;
  bool would_queue = false;
  const std::uint32_t cap = cap_for(ticket.priority, now);
  const std::uint32_t before = hot_.in_flight.fetch_add(1);
  const bool fair = hot_.fair.load(std::memory_order_relaxed);
  Decision decision;
  decision.kind = Decision::Kind::admitted;
  decision.permit = Permit{ticket.id, now, before + 1};
  std::unique_lock lock(mu_, std::defer_lock);
  if (fair || before >= cap) lock.lock();
  if (ticket.deadline && *ticket.deadline <= now) {
    would = ShedReason::deadline;
  } else if (ticket.is_retry && before < cap && hot_.budget_enabled.load() && !retry_budget_.try_spend(now)) {
    would = ShedReason::retry_budget;
  } else if (before >= cap) {
    const std::uint32_t excess = before - cap;
    would = overflow_reason(ticket, excess, excess, now);
    would_queue = !would;
  }
  if (fair) {
    // Counted like a live admission, so the shares are the ones the live group would see.
    const FlowArrival flow = arrive(ticket);
    if (!would || would_queue) {
      if (const auto unfair = fairness_.dry_run_reason(queue_.flow(flow.slot), queue_.flows().total_weight(),
                                                       hot_.limit.load(), before >= cap)) {
        would = unfair;
        would_queue = false;
      }
    }
    if (would) fairness_.shed_at_arrival(*flow.top, flow.traits.named);
    else fairness_.admitted_at_arrival(*flow.top, flow.traits.named);
    queue_.flow_admitted(flow.slot);
    decision.permit.flow = flow.id;
    decision.permit.counted = true;
  }
  if (lock.owns_lock()) lock.unlock();
  if (!ticket.is_retry && hot_.budget_enabled.load()) retry_budget_.on_request(now);
  if (would) would_shed_[index(*would)].fetch_add(1, std::memory_order_relaxed);
  if (would_queue) would_queue_.fetch_add(1, std::memory_order_relaxed);
  return decision;
}

// ---- release / cancel ----------------------------------------------------------------------

Effects Admission::release(const Permit& permit, Outcome outcome, TimePoint now) {
  hot_.in_flight.fetch_sub(1);
  hot_.completed[index(outcome)].fetch_add(1, std::memory_order_relaxed);
  const Duration rtt = now - permit.start;
  if (outcome != Outcome::ignored) {
    hot_.service_ns.fetch_add(rtt.count(), std::memory_order_relaxed);
  }
  const bool sample = outcome != Outcome::ignored && hot_.sampled.load(std::memory_order_relaxed);
  if (!sample && hot_.waiters.load() == 0 && !permit.counted) return {};

  std::unique_lock lock(mu_, std::defer_lock);
  const bool failed = outcome == Outcome::dropped || outcome == Outcome::abandoned;
  if (hot_.waiters.load() != 0 || failed || permit.counted) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return {};  // a success sample is dispensable; stalling the I/O thread for it is not
  }
  Effects effects;
  if (permit.counted) queue_.flow_released(permit.flow);
  if (sample) {
    limit_->on_sample(Sample{rtt, permit.in_flight, failed, now, outcome == Outcome::abandoned});
    refresh_limit();
  }
  pump(now, effects);
  return effects;
}

Effects Admission::cancel(TicketId ticket, TimePoint now) {
  Effects effects;
  const std::lock_guard lock(mu_);
  if (const auto entry = queue_.erase(ticket, now)) {
    shed_queued(*entry, ShedReason::client_gone, effects);
  }
  publish_queue_length();
  return effects;
}

// ---- the queue -----------------------------------------------------------------------------

void Admission::publish_queue_length() {
  hot_.waiters.store(static_cast<std::uint32_t>(queue_.size()));
}

void Admission::shed_queued(const QueueEntry& entry, ShedReason reason, Effects& effects) {
  count_shed(entry.priority, reason);
  if (hot_.fair.load(std::memory_order_relaxed)) fairness_.shed_queued(entry.flow, entry.named);
  effects.shed.push_back(Shed{entry.id, reason});
}

// Why a queued entry must leave the queue unserved, if it must. `position`: waiters served
// before it, for the deadline estimate; none when the entry is about to be served.
std::optional<ShedReason> Admission::expiry(const QueueEntry& entry,
                                            std::optional<std::size_t> position,
                                            TimePoint now) const {
  if (entry.deadline <= now) return ShedReason::deadline;
  const Duration age = entry.age(now);
  if (age > settings_.queue.max_wait) return ShedReason::queue_timeout;
  const Duration target = settings_.queue.codel_target;
  if (target > Duration::zero() && age > target &&
      (queue_.congested() || collapse_.mode() == Mode::recovery)) {
    return ShedReason::stale;
  }
  if (position && entry.deadline != TimePoint::max()) {
    const Duration wait = estimated_wait(*position);
    if (wait > Duration::zero() && now + wait > entry.deadline) return ShedReason::deadline;
  }
  return std::nullopt;
}

// Hands free slots to waiters in queue order, dropping expired waiters on the way.
void Admission::pump(TimePoint now, Effects& effects) {
  if (queue_.empty()) return;  // the common case of an admission under the lock
  const bool dry_run = hot_.dry_run.load(std::memory_order_relaxed);
  const bool fair = hot_.fair.load(std::memory_order_relaxed);
  while (const QueueEntry* next = queue_.peek_next(now)) {
    if (const auto reason = expiry(*next, std::nullopt, now)) {
      if (*reason == ShedReason::stale) queue_.note_overload_shed(now);
      shed_queued(queue_.pop_next(now), *reason, effects);
      continue;
    }
    const std::uint32_t in_flight =
        dry_run ? hot_.in_flight.fetch_add(1) + 1 : try_acquire(cap_for(next->priority, now));
    if (in_flight == 0) break;  // the next class cannot go, so no lower class can either
    const QueueEntry entry = queue_.grant_next(now, fair);
    effects.granted.push_back(Permit{entry.id, now, in_flight, entry.flow, fair});
    if (fair) fairness_.granted(entry.flow, entry.named);
    ++admitted_from_queue_;
  }
  publish_queue_length();
}

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
