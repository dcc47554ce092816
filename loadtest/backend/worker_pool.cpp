#include "backend/worker_pool.h"

#include <sys/prctl.h>

#include <algorithm>
#include <random>

namespace levee::load {

namespace {

// Spin until the deadline: models a CPU-bound handler, which competes with the I/O threads for
// cores the way a real one does (sleep mode does not).
void burn_until(std::chrono::steady_clock::time_point deadline) {
  volatile std::uint64_t sink = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 256; ++i) sink = sink + static_cast<std::uint64_t>(i);
  }
}

}  // namespace

WorkerPool::WorkerPool(int workers, ServiceTime service_time, BurnMode mode, std::uint64_t seed)
    : service_time_(service_time), mean_ns_(service_time.mean.count()), mode_(mode), seed_(seed) {
  set_workers(workers);
}

void WorkerPool::set_workers(int workers) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    active_ = std::clamp(workers, 1, max_workers);
    while (static_cast<int>(threads_.size()) < active_) start_worker();
  }
  ready_.notify_all();
}

int WorkerPool::workers() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void WorkerPool::start_worker() {
  const int index = static_cast<int>(threads_.size());
  threads_.emplace_back([this, index, s = seed_ * 1000003 + static_cast<std::uint64_t>(index)] {
    run_worker(index, s);
  });
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::submit(std::unique_ptr<Job> job) {
  bool idle_workers = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(job));
    idle_workers = static_cast<int>(threads_.size()) > active_;
  }
  // With workers idled by set_workers, one notification could wake an idle one, which goes
  // back to sleep, and the job would wait for a busy worker: wake them all then.
  if (idle_workers) {
    ready_.notify_all();
  } else {
    ready_.notify_one();
  }
}

std::size_t WorkerPool::queue_length() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::stop() {
  std::deque<std::unique_ptr<Job>> abandoned;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    abandoned.swap(queue_);
  }
  ready_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  // Destroyed here, outside the lock: a job's destructor may release a coroutine frame.
}

void WorkerPool::run_worker(int index, std::uint64_t seed) {
  // A sleeping worker models a service time of exactly `cost`; the kernel's default 50 us of
  // timer slack would lengthen every request by up to that much.
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> exponential(1.0);
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || (index < active_ && !queue_.empty()); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Nanos cost = mean_service_time();
    if (service_time_.distribution == Distribution::exponential) {
      cost = Nanos{static_cast<std::int64_t>(exponential(rng) * static_cast<double>(cost.count()))};
    }
    if (mode_ == BurnMode::cpu) {
      burn_until(std::chrono::steady_clock::now() + cost);
    } else {
      std::this_thread::sleep_for(cost);
    }
    work_done_.fetch_add(1, std::memory_order_relaxed);
    job->complete();
  }
}

}  // namespace levee::load
