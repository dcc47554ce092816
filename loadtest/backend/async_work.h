#pragma once
// async_work(pool, token): an Asio asynchronous operation that completes after a worker has
// spent one service time on it. The completion is posted to the handler's associated executor
// (the connection's strand), so the session resumes on its own strand. There is no cancellation
// on purpose: a disconnected client does not save the service any work.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <memory>

#include "backend/worker_pool.h"

namespace levee::load {

namespace detail {

template <typename Handler>
class PostingJob final : public WorkerPool::Job {
 public:
  explicit PostingJob(Handler handler) : handler_(std::move(handler)) {}
  void complete() override {
    auto executor = boost::asio::get_associated_executor(handler_);
    boost::asio::post(executor, std::move(handler_));
  }

 private:
  Handler handler_;
};

}  // namespace detail

template <typename CompletionToken>
auto async_work(WorkerPool& pool, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void()>(
      [&pool](auto handler) {
        using Handler = decltype(handler);
        pool.submit(std::make_unique<detail::PostingJob<Handler>>(std::move(handler)));
      },
      token);
}

}  // namespace levee::load
