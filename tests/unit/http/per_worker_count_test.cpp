// PerWorkerCount: each worker changes only its own slot, a reader sees the sum of all of them,
// and no change is lost while the workers run at once (ThreadSanitizer sees this test too).

#include "proxy/http/per_worker_count.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

namespace levee::http {
namespace {

TEST(PerWorkerCount, TotalIsTheSumOfEveryWorkersChanges) {
  PerWorkerCount count(3);
  EXPECT_EQ(count.workers(), 3u);
  EXPECT_EQ(count.total(), 0);
  count.add(0, 5);
  count.add(2, 7);
  count.add(0, -2);
  EXPECT_EQ(count.total(), 10);
  // A gauge counted up on one worker and down on another (a connection that moved) still sums.
  count.add(1, -4);
  EXPECT_EQ(count.total(), 6);
}

TEST(PerWorkerCount, WorkersCountingAtOnceLoseNothing) {
  constexpr std::size_t workers = 4;
  constexpr std::int64_t per_worker = 100'000;
  PerWorkerCount count(workers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&count, w] {
      for (std::int64_t i = 0; i < per_worker; ++i) count.add(w, 1);
      for (std::int64_t i = 0; i < per_worker / 2; ++i) count.add(w, -1);
    });
  }
  // Read while they write: a moment's sum, never more than everything added.
  for (int i = 0; i < 100; ++i) EXPECT_LE(count.total(), static_cast<std::int64_t>(workers) * per_worker);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(count.total(), static_cast<std::int64_t>(workers) * per_worker / 2);
}

}  // namespace
}  // namespace levee::http
