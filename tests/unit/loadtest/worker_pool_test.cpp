// The backend's worker pool: the worker count can change mid-run (bench/limits' capacity
// halved or doubled), and a shrunken pool still serves every job.
#include "backend/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

// Counts completed jobs; waits (bounded) for a number of them.
class Completions {
 public:
  class Job final : public WorkerPool::Job {
   public:
    explicit Job(Completions& owner) : owner_(owner) {}
    void complete() override { owner_.add(); }

   private:
    Completions& owner_;
  };

  void add() {
    {
      std::lock_guard lock(mutex_);
      ++done_;
    }
    changed_.notify_all();
  }
  bool wait_for(int count, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return done_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int done_ = 0;
};

TEST(WorkerPool, WorkerCountChangesAndNeverFallsBelowOne) {
  WorkerPool pool(2, ServiceTime{0ns, Distribution::fixed}, BurnMode::sleep, 1);
  EXPECT_EQ(pool.workers(), 2);
  pool.set_workers(0);
  EXPECT_EQ(pool.workers(), 1);
  pool.set_workers(3);
  EXPECT_EQ(pool.workers(), 3);
}

// Idle workers (beyond the count) must not swallow the wake-up meant for an active one: each
// job is submitted alone, after the previous one completed, so the one active worker is always
// asleep when it arrives. A lost wake-up leaves the job queued for ever.
TEST(WorkerPool, ShrunkenPoolServesEveryJob) {
  WorkerPool pool(8, ServiceTime{0ns, Distribution::fixed}, BurnMode::sleep, 1);
  pool.set_workers(1);
  Completions completions;
  for (int i = 1; i <= 50; ++i) {
    pool.submit(std::make_unique<Completions::Job>(completions));
    ASSERT_TRUE(completions.wait_for(i, 5s)) << "job " << i << " was never served";
  }
}

}  // namespace
}  // namespace levee::load
