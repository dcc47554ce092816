#pragma once
// Helper verbs for driving one Admission with a manual clock: admit(), complete(), cancel(),
// tick(), advance(). Every Effects returned by any call is absorbed, so tests can ask "does
// ticket 3 hold a permit?" or "why was ticket 5 shed?" no matter which call caused it.

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxy/policy/admission.h"
#include "tests/fakes/manual_clock.h"

namespace levee::policy::test {

using namespace std::chrono_literals;

// A predictable group: fixed limit, FIFO, no CoDel, no collapse detection, no reserve, no
// retry budget. Tests switch on what they exercise.
inline AdmissionSettings plain_settings(std::uint32_t limit, std::uint32_t queue_length = 8) {
  AdmissionSettings s;
  s.limit.kind = LimitKind::fixed;
  s.limit.initial = limit;
  s.queue.max_length = queue_length;
  s.queue.max_wait = 1s;
  s.queue.order = QueueOrder::fifo;
  s.queue.codel_target = Duration::zero();
  s.critical_reserved_share = 0;
  s.retry_budget_enabled = false;
  s.collapse.enabled = false;
  return s;
}

struct TicketSpec {
  Priority priority = Priority::normal;
  bool retry = false;
  std::optional<Duration> deadline_in = std::nullopt;  // relative to now
  FlowId flow = no_flow_key;
  std::uint16_t named = 0;
};

class AdmissionHarness {
 public:
  explicit AdmissionHarness(const AdmissionSettings& settings)
      : admission_(settings, clock_.now()) {}

  Decision admit(TicketId id, TicketSpec spec = {}) {
    Ticket ticket;
    ticket.id = id;
    ticket.priority = spec.priority;
    ticket.is_retry = spec.retry;
    if (spec.deadline_in) ticket.deadline = now() + *spec.deadline_in;
    ticket.arrival = now();
    ticket.flow = spec.flow;
    ticket.named_flow = spec.named;
    const std::string label = "flow-" + std::to_string(spec.flow);
    ticket.flow_label = label;
    Decision decision = admission_.try_admit(ticket, now());
    if (decision.admitted()) held_[id] = decision.permit;
    if (decision.rejected()) shed_[id] = decision.reason;
    absorb(decision.effects);
    return decision;
  }
  Decision admit(TicketId id, Priority priority) { return admit(id, TicketSpec{priority}); }

  // Admits `count` normal tickets starting at `first`; expects them all admitted.
  void fill(TicketId first, std::uint32_t count) {
    for (TicketId id = first; id < first + count; ++id) {
      ASSERT_TRUE(admit(id).admitted()) << "ticket " << id;
    }
  }

  Effects complete(TicketId id, Outcome outcome = Outcome::success) {
    const auto it = held_.find(id);
    EXPECT_NE(it, held_.end()) << "ticket " << id << " holds no permit";
    if (it == held_.end()) return {};
    const Permit permit = it->second;
    held_.erase(it);
    return absorb(admission_.release(permit, outcome, now()));
  }
  Effects cancel(TicketId id) { return absorb(admission_.cancel(id, now())); }
  Effects tick() { return absorb(admission_.on_tick(now())); }
  Effects reconfigure(const AdmissionSettings& s) {
    return absorb(admission_.reconfigure(s, now()));
  }
  Effects drain() { return absorb(admission_.drain(now())); }
  // Advances the clock in `step`s, ticking after each, for `total`.
  void run_ticks(Duration total, Duration step = 10ms) {
    for (Duration t{}; t < total; t += step) {
      advance(step);
      tick();
    }
  }

  TimePoint advance(Duration by) { return clock_.advance(by); }
  TimePoint now() const { return clock_.now(); }

  bool holds(TicketId id) const { return held_.contains(id); }
  std::optional<ShedReason> shed_reason(TicketId id) const {
    const auto it = shed_.find(id);
    return it == shed_.end() ? std::nullopt : std::optional(it->second);
  }
  const std::vector<TicketId>& grant_order() const { return grant_order_; }
  std::size_t held_count() const { return held_.size(); }
  // Tickets holding a permit, oldest id first.
  std::vector<TicketId> held() const {
    std::vector<TicketId> ids;
    for (const auto& [id, permit] : held_) ids.push_back(id);
    return ids;
  }
  Snapshot snapshot() const { return admission_.snapshot(now()); }
  Admission& admission() { return admission_; }

 private:
  const Effects& absorb(const Effects& effects) {
    for (const Permit& permit : effects.granted) {
      EXPECT_FALSE(held_.contains(permit.ticket)) << "granted twice: " << permit.ticket;
      held_[permit.ticket] = permit;
      grant_order_.push_back(permit.ticket);
    }
    for (const Shed& shed : effects.shed) shed_[shed.ticket] = shed.reason;
    return effects;
  }

  testing::ManualClock clock_;
  Admission admission_;
  std::map<TicketId, Permit> held_;
  std::map<TicketId, ShedReason> shed_;
  std::vector<TicketId> grant_order_;
};

}  // namespace levee::policy::test
