#pragma once
// One HTTP/2 connection of the load generator (`run --http2`, cleartext prior knowledge):
// a socket, an h2::ClientConnection, and the streams it carries, each one attempt of a user.
//
// An attempt's deadline is the caller's patience, as on HTTP/1.1; when it passes the stream is
// reset (RST_STREAM CANCEL) instead of the connection closed, which is how an HTTP/2 caller
// leaves: the target sees the cancel, and the other streams go on. Response bodies are
// discarded as they arrive (their flow-control windows reopened at once). A connection that
// fails or is closed ends its open streams as `closed` (`connect_error` before it connected).
// Held by shared_ptr: a link removed from its channel lives until its last handler ran.
// Runs on its thread's io_context; not thread-safe.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "client/h2_request.h"
#include "client/connection.h"

namespace levee::load {

class H2StreamOwner {
 public:
  virtual ~H2StreamOwner() = default;
  // Called once per started attempt, never from inside H2Link::start.
  virtual void on_stream_done(std::uint32_t tag, const ExchangeResult& result) = 0;
};

class H2Link : public std::enable_shared_from_this<H2Link> {
 public:
  using Clock = std::chrono::steady_clock;

  H2Link(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint, H2StreamOwner& owner);
  H2Link(const H2Link&) = delete;
  H2Link& operator=(const H2Link&) = delete;

  // Starts connecting (call once, after construction into a shared_ptr).
  void open();
  // A new stream fits now: not failed, not going away, a slot free under the target's
  // SETTINGS_MAX_CONCURRENT_STREAMS.
  bool can_take() const { return !dead_ && connection_.can_open_stream(); }
  bool dead() const { return dead_; }
  std::size_t open_streams() const { return streams_.size(); }
  // Submits the attempt `tag` as a new stream; false (nothing started) when it does not fit.
  bool start(const H2Request& request, Clock::time_point deadline, std::uint32_t tag);
  // Closes the socket; open attempts end as `closed`. Its pending read ends, so a driver whose
  // schedule is done runs out of work.
  void close() { fail(Outcome::closed); }

 private:
  using error_code = boost::system::error_code;
  struct Attempt {
    std::uint32_t tag = 0;
    ExchangeResult result;
    bool answered = false;  // the final header arrived
    std::unique_ptr<boost::asio::steady_timer> deadline;
  };

  void read();
  void handle_events();
  void flush();
  void on_deadline(std::int32_t stream);
  void finish(std::int32_t stream, Outcome outcome);
  // The connection is over: every open attempt ends with `outcome`.
  void fail(Outcome outcome);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::endpoint endpoint_;
  H2StreamOwner& owner_;
  boost::asio::ip::tcp::socket socket_;
  h2::ClientConnection connection_;
  std::unordered_map<std::int32_t, Attempt> streams_;
  std::array<char, 16 * 1024> read_buffer_{};
  std::string write_buffer_;  // the bytes being written; the connection's own buffer moves on
  bool connected_ = false;
  bool writing_ = false;
  bool dead_ = false;
};

}  // namespace levee::load
