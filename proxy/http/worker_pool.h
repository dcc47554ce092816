#pragma once
// N workers, each an io_context run by exactly one thread (shared-nothing, as in Envoy and nginx).
//
// Why not one io_context shared by N threads with a strand per connection: a connection, its
// upstream connections and its timers all live on one worker, so they need no strand, and the
// per-worker upstream pool needs no lock. Work that crosses workers (an admission wake-up from
// another worker's release) is posted to the owner's context. Each context is created with
// concurrency hint 1; Asio keeps all its locks with it. BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO
// (no per-socket lock) is not safe here: the listener's thread registers each accepted socket
// with its worker's reactor, whose descriptor states are pooled and reused, and ThreadSanitizer
// caught that registration racing the worker's own I/O on a recycled state.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace levee::http {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t count);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t index) { return *contexts_[index]; }

  // One thread per context, named worker-N; worker N pinned to cpus[N] when it has one
  // (cpu_affinity.h; an empty list pins none). A CPU the kernel refuses is logged, not fatal.
  void start(const std::vector<std::optional<unsigned>>& cpus = {});
  void stop();   // stops every context; run() calls return
  void join();

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace levee::http
