#pragma once
// A TCP socket whose reads and writes end at a deadline, as beast::tcp_stream's do, but watched
// by one lazy timer per connection instead of a timer armed and cancelled per operation.
//
// Why: on a keep-alive request levee makes four or five socket operations, each with a timeout.
// tcp_stream schedules a timer for each (a timer-queue insert), cancels it when the operation
// completes (a queue removal) and runs the cancelled wait's handler (a trip through the
// scheduler): about 9% of levee's instructions per request. Here setting a deadline is a clock
// read; the timer is armed only when an operation's deadline is earlier than the one it already
// waits for, and when it fires at a time no pending operation has reached (the deadlines moved
// on since), it re-arms for the earliest pending one, or rests when nothing is pending. At a
// steady keep-alive pace that is one timer wait per timeout period, not two per operation.
//
// Semantics are tcp_stream's, so the callers did not change: expires_after/expires_never apply
// to the operations started after them, in each direction that has none pending; an operation
// that outlives its deadline completes with beast::error::timeout and the socket is closed (the
// other direction's pending operation then fails with operation_aborted). Connect counts as a
// write. Not thread-safe: one worker thread, like the connection that owns it.

#include "proxy/http/worker_executor.h"

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include <chrono>
#include <memory>
#include <utility>

namespace levee::http {

class DeadlineStream {
 public:
  using executor_type = Executor;
  using socket_type = Socket;
  using lowest_layer_type = socket_type;  // for asio::ssl::stream over this
  using clock = std::chrono::steady_clock;

  explicit DeadlineStream(socket_type socket);
  explicit DeadlineStream(boost::asio::io_context& context);
  explicit DeadlineStream(const executor_type& executor);
  ~DeadlineStream();
  DeadlineStream(const DeadlineStream&) = delete;
  DeadlineStream& operator=(const DeadlineStream&) = delete;

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  socket_type& socket() { return state_->socket; }
  lowest_layer_type& lowest_layer() { return state_->socket; }

  void expires_after(std::chrono::nanoseconds timeout) { expires_at(clock::now() + timeout); }
  void expires_at(clock::time_point deadline);
  void expires_never() { expires_at(clock::time_point::max()); }
  // Cancels pending operations (they complete with operation_aborted); the connection stays.
  void cancel();
  void close();
  // The socket, for another owner; this stream is left without one (and its timer at rest).
  socket_type release_socket();

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& b) {
          start(state_->read);
          state_->socket.async_read_some(b, Completion<decltype(handler)>{std::move(handler), state_, &State::read});
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          start(state_->write);
          state_->socket.async_write_some(b, Completion<decltype(handler)>{std::move(handler), state_, &State::write});
        },
        token, buffers);
  }

  template <class ConnectToken>
  auto async_connect(const boost::asio::ip::tcp::endpoint& endpoint, ConnectToken&& token) {
    return boost::asio::async_initiate<ConnectToken, void(boost::system::error_code)>(
        [this](auto handler, const boost::asio::ip::tcp::endpoint& to) {
          start(state_->write);
          state_->socket.async_connect(to, Completion<decltype(handler)>{std::move(handler), state_, &State::write});
        },
        token, endpoint);
  }

 private:
  struct Direction {
    // The next operation's, then the pending one's: expires_at leaves a pending direction alone.
    clock::time_point deadline = clock::time_point::max();
    bool pending = false;
    bool timed_out = false;
  };
  // Shared with the timer's wait, which may complete after the stream is gone.
  struct State {
    explicit State(socket_type s) : socket(std::move(s)), timer(socket.get_executor()) {}
    socket_type socket;
    boost::asio::steady_timer timer;
    Direction read;
    Direction write;
    clock::time_point armed_for = clock::time_point::max();  // max: the timer is at rest
  };

 public:
  // Ends an operation: the direction is no longer pending, and an operation the watchdog timed
  // out reports beast::error::timeout, as tcp_stream's do. Public for asio's associator below.
  template <class Handler>
  struct Completion {
    Handler handler;
    std::shared_ptr<State> state;
    Direction State::*direction;

    template <class... Rest>
    void operator()(boost::system::error_code ec, Rest&&... rest) {
      Direction& d = (*state).*direction;
      d.pending = false;
      if (d.timed_out) {
        d.timed_out = false;
        ec = boost::beast::error::timeout;
      }
      state.reset();
      std::move(handler)(ec, std::forward<Rest>(rest)...);
    }
  };

 private:
  void start(Direction& direction);
  static void arm(const std::shared_ptr<State>& state, clock::time_point at);
  static void on_timer(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
};

}  // namespace levee::http

// The wrapped handler keeps the wrapped one's executor, allocator and cancellation slot, so a
// coroutine's read resumes exactly as it would on the plain socket.
template <template <typename, typename> class Associator, typename Handler, typename DefaultCandidate>
struct boost::asio::associator<Associator, levee::http::DeadlineStream::Completion<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const levee::http::DeadlineStream::Completion<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler);
  }
  static auto get(const levee::http::DeadlineStream::Completion<Handler>& h, const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
    return Associator<Handler, DefaultCandidate>::get(h.handler, c);
  }
};
