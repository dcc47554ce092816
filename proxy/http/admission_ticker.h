#pragma once
// The admission groups' maintenance clock, on an io_context of its own (a slow /metrics scrape
// or an admin flood on the control thread must not delay it).
//
// Two paces. While some group needs_fast_ticks() -- waiters to expire, or the group at its
// limit -- it ticks every `fast` (5 ms: a waiter is shed within a few ms of its max wait, CoDel
// and the collapse detector see the queue finely); otherwise every `slow` (100 ms: windows and
// estimates still advance). An idle sidecar then wakes ten times a second instead of two
// hundred: on this project's 2-core VM the 5 ms tick alone cost an idle levee 1% of a core.
// A request that starts to wait calls hurry(), which ticks at once and resumes the fast pace,
// so the slow pace never delays shedding a waiter.
//
// hurry() and a tick that slows down cannot miss each other: the ticker marks itself slow
// before it asks the groups, and hurry() runs after its ticket joined a queue (under that
// group's lock, which the tick also takes), so either the tick sees the waiter or hurry()
// sees the mark.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "proxy/http/admission_groups.h"

namespace levee::http {

class AdmissionTicker {
 public:
  struct Pace {
    std::chrono::milliseconds fast{5};
    std::chrono::milliseconds slow{100};
  };

  AdmissionTicker(boost::asio::io_context& context, AdmissionGroups& groups, Pace pace);

  void start();  // ticks now, then at the pace the groups ask for; on the context's thread
  void hurry();  // thread-safe: a request started to wait somewhere
  std::uint64_t ticks() const { return ticks_.load(std::memory_order_relaxed); }

 private:
  void tick();

  boost::asio::steady_timer timer_;
  AdmissionGroups& groups_;
  const Pace pace_;
  std::atomic<bool> slow_{false};
  std::atomic<std::uint64_t> ticks_{0};
};

}  // namespace levee::http
