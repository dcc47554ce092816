#pragma once
// A count every worker changes on the request path and other threads only read now and then
// (a /metrics scrape, the connection cap when a new upstream connection is made).
//
// Why not one shared atomic: every request would move its cache line between cores, a locked
// read-modify-write each time the other worker touched it last. With two workers the in-flight
// gauge alone (prometheus::Gauge, a compare-and-swap loop) was about 1% of levee's CPU in
// `perf record` under bench/overhead/run.sh --proxy-threads 2. Here each worker writes only its
// own slot, on a cache line of its own, and a reader adds the slots up, as HAProxy sums its
// per-thread counters when stats are dumped.
//
// A slot has exactly one writer (its worker's thread), so a change is a load and a store; the
// slot is atomic only so that a reader on another thread sees whole values. A total read while
// workers run is a moment's sum, as a shared relaxed counter's was.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace levee::http {

class PerWorkerCount {
 public:
  explicit PerWorkerCount(std::size_t workers) : slots_(std::make_unique<Slot[]>(workers)), size_(workers) {}

  // Only ever from the thread of worker `worker` (or while no worker runs).
  void add(std::size_t worker, std::int64_t delta) {
    std::atomic<std::int64_t>& value = slots_[worker].value;
    value.store(value.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  std::int64_t total() const {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < size_; ++i) sum += slots_[i].value.load(std::memory_order_relaxed);
    return sum;
  }
  std::size_t workers() const { return size_; }

 private:
  // 64 bytes: the cache line of every x86-64 and most arm64 cores levee runs on (a literal,
  // because std::hardware_destructive_interference_size may differ between compilers).
  struct alignas(64) Slot {
    std::atomic<std::int64_t> value{0};
  };
  std::unique_ptr<Slot[]> slots_;
  std::size_t size_;
};

}  // namespace levee::http
