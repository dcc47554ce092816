// Admission's decisions (admission.h): arrivals, releases, cancellations and the queue's
// hand-offs. The periodic tick, settings, drain and snapshot are in admission_upkeep.cpp.

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

}  // namespace levee::policy
