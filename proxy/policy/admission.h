#pragma once
// One admission group: a concurrency limit, a bounded queue of waiters and the in-flight
// count, deciding for each request: admit now, queue, or shed with a reason.
//
// Algorithm (details in admission.cpp, admission_upkeep.cpp and the classes they compose):
// - Admit while in-flight < the limit (critical) or < the limit minus the critical reserve
//   (everyone else; the reserve is lent out while no critical request has arrived for a
//   second). Beyond that: retries are shed (never queued ahead of first attempts);
//   sheddable requests are shed while the queue is congested or the group in recovery;
//   requests that cannot start before their deadline -- estimated from their queue position
//   and the recent service time -- are shed at once; the rest queue (AdmissionQueue), a
//   higher class displacing the oldest waiter of a lower class when the queue is full. A
//   congested queue is full at what drains within half the CoDel target (queue_capacity()).
// - A released permit passes straight to the next waiter the queue chooses.
// - on_tick() sheds waiters past max_wait, past their deadline, or (congested / recovery)
//   older than the target; it feeds the service-time estimate and the CollapseDetector,
//   whose recovery mode clamps the limit and forces LIFO.
// - The limit algorithm (make_limit) sees one Sample per release that says something.
// - Fair admission (a flow key configured, fairness.h): every admission and release is counted
//   against the request's flow; while the group is contended the queue serves the flow
//   furthest below its share first, and a full queue sheds the heaviest flow's oldest waiter
//   (`fair_share`) before it turns away a lighter flow. A named flow at its cap is shed at
//   once (`flow_cap`). The fast path then takes the mutex (a few dozen ns): per-flow counts
//   need it, and a group without a key never pays it.
// - Dry run: every decision is computed and would-be sheds are counted, but all are admitted.
//
// Wake-ups are data: each call returns the Effects it caused on *other* waiters (granted or
// shed); the caller delivers them after the call returns. Policy stores no callback.
//
// Thread safety: every method may be called from any thread. The common case is lock-free:
// try_admit() with an empty queue is a compare-exchange on the in-flight count (so
// concurrent admissions can never overshoot the limit), and release() with an empty queue
// is a decrement plus counters; an adaptive limit's sample is taken under the mutex, and is
// skipped (not waited for) when another thread holds it, unless it reports a drop. Anything
// touching the queue or the algorithms takes the mutex around O(1) work (on_tick: O(queue)).
// Queueing and waking cannot lose each other: try_admit() publishes the queue length before
// its last admission attempt, release() decrements in-flight before it reads the queue
// length, both sequentially consistent, so either the arrival sees the freed slot or the
// release sees the waiter and wakes it.

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>

#include "proxy/policy/admission_queue.h"
#include "proxy/policy/fairness.h"
#include "proxy/policy/collapse_detector.h"
#include "proxy/policy/decision.h"
#include "proxy/policy/limit.h"
#include "proxy/policy/retry_budget.h"
#include "proxy/policy/service_estimator.h"
#include "proxy/policy/settings.h"
#include "proxy/policy/snapshot.h"
#include "proxy/policy/ticket.h"

namespace levee::policy {

class Admission {
 public:
  Admission(const AdmissionSettings& settings, TimePoint now);
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;
  ~Admission();

  // A request arrived. admitted: forward it, then release(permit) exactly once. queued: a
  // later Effects (from any call, on any thread) grants or sheds this ticket; cancel() it if
  // the client leaves first. rejected: answer at once with the reason. Always deliver
  // decision.effects (they concern other waiters).
  Decision try_admit(const Ticket& ticket, TimePoint now);

  // try_admit() in two steps, for a caller that must get ready before its ticket can be
  // queued (register where a grant will find it) and would rather not for every request:
  // decide_now() settles everything that needs no queue -- nullopt means "may queue"; then
  // call admit_or_queue() exactly once, which decides under the lock (it may still admit or
  // reject). Together they are exactly try_admit().
  std::optional<Decision> decide_now(const Ticket& ticket, TimePoint now);
  Decision admit_or_queue(const Ticket& ticket, TimePoint now);

  // The request holding `permit` finished. Call exactly once per permit (PermitGuard's job),
  // with the outcome; ignored when no answer says anything about the service.
  Effects release(const Permit& permit, Outcome outcome, TimePoint now);

  // The client of a queued ticket went away. Its removal is reported as shed with
  // client_gone. If the ticket is not queued (already granted in flight to its waiter, or
  // shed), nothing happens: whoever holds a granted permit must still release it.
  Effects cancel(TicketId ticket, TimePoint now);

  // Periodic maintenance: max wait, CoDel, deadlines, estimates, collapse detection, and
  // grants after a limit change. The plumbing calls it every few ms while needs_fast_ticks()
  // and every 100 ms or so otherwise.
  Effects on_tick(TimePoint now);
  // Whether on_tick() has work that cannot wait: waiters to expire (max wait, CoDel,
  // deadlines), or the group at its limit (the collapse detector's busy signal, sampled finely
  // while it matters). An idle or lightly loaded group needs neither, and a sidecar that
  // wakes every few ms for nothing costs its node CPU all day. Lock-free.
  bool needs_fast_ticks() const {
    return hot_.waiters.load() > 0 || hot_.in_flight.load() >= hot_.limit.load();
  }

  // Applies new settings in place (reload): the learned limit survives if the limit kind is
  // unchanged; the queue is trimmed to its new bound (shed as queue_full).
  Effects reconfigure(const AdmissionSettings& settings, TimePoint now);

  // Shutdown: sheds every waiter with `draining`, and from then on every arrival that would
  // have to wait; one that finds a free permit is still served. Permits already granted
  // complete normally.
  Effects drain(TimePoint now);

  // A consistent picture for metrics and /state (takes the mutex briefly). `now` decides
  // which order an adaptive queue is in.
  Snapshot snapshot(TimePoint now) const;

 private:
  std::uint32_t cap_for(Priority priority, TimePoint now) const;
  std::uint32_t try_acquire(std::uint32_t cap);
  Decision reject(const Ticket& ticket, ShedReason reason);
  Decision admit_dry_run(const Ticket& ticket, TimePoint now);
  std::optional<ShedReason> overflow_reason(const Ticket& ticket, std::size_t queued, std::size_t ahead,
                                            TimePoint now) const;
  // The steps of an admission under mu_, per flow (one keyless flow without fairness).
  struct FlowArrival {
    bool fair = false;
    FlowId id = no_flow_key;
    FlowTraits traits;
    std::uint32_t slot = 0;
    TopFlows::Entry* top = nullptr;  // set when fair
  };
  FlowArrival arrive(const Ticket& ticket);
  std::optional<Decision> over_cap(const Ticket& ticket, const FlowArrival& arrival);
  Decision admit_flow(const Ticket& ticket, const FlowArrival& arrival, std::uint32_t in_flight, TimePoint now);
  Decision turn_away(const Ticket& ticket, const FlowArrival& arrival, ShedReason reason, Effects effects);
  std::optional<ShedReason> expiry(const QueueEntry& entry, std::optional<std::size_t> position,
                                   TimePoint now) const;
  Duration estimated_wait(std::size_t ahead) const;
  std::size_t queue_capacity() const;
  void pump(TimePoint now, Effects& effects);
  void shed_queued(const QueueEntry& entry, ShedReason reason, Effects& effects);
  void refresh_limit();
  void enter_mode(Mode mode);
  std::uint32_t clamp_floor() const;
  void publish_queue_length();
  void count_shed(Priority priority, ShedReason reason);

  // Lock-free state, read and written by the fast paths. Kept together on its own cache
  // line: an admit/release pair touches only this line.
  struct alignas(64) Hot {
    std::atomic<std::uint32_t> in_flight{0};
    std::atomic<std::uint32_t> limit{1};        // effective limit; critical may use it all
    std::atomic<std::uint32_t> normal_cap{1};   // limit minus the critical reserve
    // The reserve holds until then (ns since the clock's epoch): a reserve kept for critical
    // callers who are not there is capacity thrown away, so it is lent out between them.
    std::atomic<Duration::rep> reserve_until{std::numeric_limits<Duration::rep>::min()};
    std::atomic<std::uint32_t> waiters{0};      // queue length, published under mu_
    std::atomic<bool> dry_run{false};
    std::atomic<bool> draining{false};
    std::atomic<bool> sampled{false};           // the limit algorithm wants samples
    std::atomic<bool> budget_enabled{false};
    std::atomic<bool> fair{false};              // a flow key is configured
    std::array<std::atomic<std::uint64_t>, outcome_count> completed{};  // by Outcome
    std::atomic<Duration::rep> service_ns{0};   // permit-held time of all but ignored
  };
  Hot hot_;

  std::array<std::array<std::atomic<std::uint64_t>, shed_reason_count>, priority_count> shed_{};
  std::array<std::atomic<std::uint64_t>, shed_reason_count> would_shed_{};
  std::atomic<std::uint64_t> would_queue_{0};
  RetryBudget retry_budget_;  // thread-safe on its own

  // Everything below is guarded by mu_.
  mutable std::mutex mu_;
  AdmissionSettings settings_;
  std::unique_ptr<Limit> limit_;
  AdmissionQueue queue_;
  Fairness fairness_;
  ServiceEstimator estimator_;
  CollapseDetector collapse_;
  std::uint32_t clamp_ = 0;  // recovery-mode cap on the limit; 0 = none
  TimePoint recovery_since_{};
  TimePoint now_of_last_tick_{};
  std::uint64_t collapse_windows_ = 0;  // windows the detector had closed at the last tick
  std::uint64_t queued_ = 0;
  std::uint64_t admitted_from_queue_ = 0;
  std::uint64_t recovery_entered_ = 0;
};

}  // namespace levee::policy
