#pragma once
// Running totals one sending thread publishes for the progress display. One writer (the owning
// thread, relaxed increments on its own cache line), any number of readers; readers take
// differences between snapshots. Only for display: the report is computed from the records.

#include <atomic>
#include <cstdint>

namespace levee::load {

struct alignas(64) LiveCounters {
  std::atomic<std::uint64_t> offered{0};
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> good{0};
  std::atomic<std::uint64_t> late{0};
  std::atomic<std::uint64_t> shed{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> not_sent{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> lag_max_ns{0};  // the reader resets it each interval
  std::atomic<bool> finished{false};

  static void bump(std::atomic<std::uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }
};

struct LiveSnapshot {
  std::uint64_t offered = 0, sent = 0, retries = 0, good = 0, late = 0, shed = 0, errors = 0,
                timeouts = 0, not_sent = 0;
  std::int64_t in_flight = 0, connections = 0, lag_max_ns = 0;

  void add(LiveCounters& c) {
    auto r = [](const auto& a) { return a.load(std::memory_order_relaxed); };
    offered += r(c.offered);
    sent += r(c.sent);
    retries += r(c.retries);
    good += r(c.good);
    late += r(c.late);
    shed += r(c.shed);
    errors += r(c.errors);
    timeouts += r(c.timeouts);
    not_sent += r(c.not_sent);
    in_flight += r(c.in_flight);
    connections += r(c.connections);
    std::int64_t lag = c.lag_max_ns.exchange(0, std::memory_order_relaxed);
    if (lag > lag_max_ns) lag_max_ns = lag;
  }
};

}  // namespace levee::load
