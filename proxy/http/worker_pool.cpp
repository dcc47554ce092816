#include "proxy/http/worker_pool.h"

#include "proxy/cpu_affinity.h"
#include "proxy/thread_name.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace levee::http {

WorkerPool::WorkerPool(std::size_t count) {
  if (count == 0) count = 1;
  contexts_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

WorkerPool::~WorkerPool() {
  stop();
  join();
}

void WorkerPool::start(const std::vector<std::optional<unsigned>>& cpus) {
  for (std::size_t index = 0; index < contexts_.size(); ++index) {
    const std::optional<unsigned> cpu = index < cpus.size() ? cpus[index] : std::nullopt;
    threads_.emplace_back([&ctx = contexts_[index], index, cpu] {
      name_this_thread("worker-" + std::to_string(index));
      if (cpu && !pin_this_thread(*cpu))
        spdlog::warn("worker-{}: cannot pin to CPU {}: {}; the kernel places it", index, *cpu, std::strerror(errno));
      for (;;) {
        try {
          ctx->run();
          return;
        } catch (const std::exception& e) {
          // A handler that throws must not take the worker down with every connection on it.
          spdlog::error("worker: unhandled exception: {}", e.what());
        }
      }
    });
  }
}

void WorkerPool::stop() {
  guards_.clear();
  for (auto& ctx : contexts_) ctx->stop();
}

void WorkerPool::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace levee::http
