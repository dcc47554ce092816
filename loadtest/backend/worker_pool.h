#pragma once
// The simulated service's thread pool: W worker threads behind one unbounded FIFO queue.
//
// Deliberately the shape that collapses: the queue has no bound and no deadline, and a job is
// never cancelled, so under overload the workers spend their time on requests whose callers
// have long given up. A worker takes the oldest job, spends one service time on it (sleeping or
// burning CPU), then calls Job::complete() on the worker thread; completing is expected to post
// the continuation to the connection's own executor. Thread safety: submit(), queue_length() and
// work_done() may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "backend/backend_config.h"

namespace levee::load {

class WorkerPool {
 public:
  class Job {
   public:
    virtual ~Job() = default;
    // Called once on a worker thread after the service time; must not block.
    virtual void complete() = 0;
  };

  WorkerPool(int workers, ServiceTime service_time, BurnMode mode, std::uint64_t seed);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::unique_ptr<Job> job);
  // Changes the mean service time from the next job on (a service that slows down or speeds up
  // mid-run: a dependency got slower, a cache went cold). Any thread.
  void set_mean_service_time(Nanos mean) { mean_ns_.store(mean.count(), std::memory_order_relaxed); }
  Nanos mean_service_time() const { return Nanos{mean_ns_.load(std::memory_order_relaxed)}; }
  // Changes the number of workers serving the queue (capacity halved or doubled mid-run: a
  // replica lost or added). Workers beyond the count finish the job in hand and then idle;
  // missing ones are started. Any thread; 1..max_workers.
  void set_workers(int workers);
  int workers() const;
  static constexpr int max_workers = 10'000;
  std::size_t queue_length() const;
  std::uint64_t work_done() const { return work_done_.load(std::memory_order_relaxed); }

  // Joins the workers (each finishes the job in hand) and destroys the queued jobs uncompleted.
  void stop();

 private:
  void start_worker();  // mutex_ held
  void run_worker(int index, std::uint64_t seed);

  const ServiceTime service_time_;
  std::atomic<Nanos::rep> mean_ns_;
  const BurnMode mode_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<Job>> queue_;  // unbounded on purpose: see the class comment
  bool stopping_ = false;
  int active_ = 0;  // workers with an index below this take jobs
  std::uint64_t seed_;
  std::atomic<std::uint64_t> work_done_{0};
  std::vector<std::thread> threads_;
};

}  // namespace levee::load
