#pragma once
// One client connection of the load generator, driven by its thread's Driver.
//
// start() runs one exchange: connect if needed, write the prepared request, read the response
// through a body-discarding parser, then report to the owner exactly once. A single deadline
// (the caller's timeout) covers the whole exchange; when it passes, the connection is closed, as
// a browser does, so the target sees the caller leave. A reused keep-alive connection that the
// server had already closed is reopened once without counting a failure (real clients do the
// same). An https target adds a TLS handshake after connect, under the same deadline (a
// failed handshake counts as a connect error). Thread safety: none; everything runs on the
// owning thread's io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "client/request_bytes.h"
#include "client/response_reader.h"
#include "client/target_tls.h"
#include "stats/record.h"

namespace levee::load {

class Connection;

struct ExchangeResult {
  Outcome outcome = Outcome::closed;
  unsigned status = 0;
  std::optional<Nanos> retry_after;
};

class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  // Called once per start(), on the connection's thread, after the exchange ended. The owner may
  // start the next exchange on `c` from inside this call.
  virtual void on_exchange_done(Connection& c, const ExchangeResult& result) = 0;
};

class Connection {
 public:
  using Clock = std::chrono::steady_clock;

  // `source`: local address to connect from (port chosen at connect), or unspecified for any.
  Connection(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint,
             ConnectionOwner& owner, std::size_t target, boost::asio::ip::address source = {},
             const TargetTls* tls = nullptr);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // `request` must stay valid until the exchange is reported; `tag` is returned by tag(). The
  // deadline header, if the request has one, says the time left until `deadline` when written;
  // `key` fills the request's key hole, if it has one.
  void start(const RequestParts& request, Clock::time_point deadline, std::uint32_t tag, std::uint32_t key = 0);
  // abort: reset instead of a graceful close (see connection.cpp for why timeouts do this).
  void close(bool abort = false);

  bool is_open() const { return open_; }
  std::size_t target() const { return target_; }
  std::uint32_t tag() const { return tag_; }

 private:
  using error_code = boost::beast::error_code;

  void connect();
  void bind_source();
  void on_connect(const error_code& ec);
  void on_handshake(const error_code& ec);
  void write();
  void on_write(const error_code& ec);
  void on_read(const error_code& ec);
  void fail(const error_code& ec);
  void finish(const ExchangeResult& result);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::endpoint endpoint_;
  boost::asio::ip::address source_;
  ConnectionOwner& owner_;
  std::size_t target_;
  std::optional<boost::asio::ip::tcp::socket> socket_;
  const TargetTls* tls_ = nullptr;  // null or no context: plain http
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_stream_;  // over socket_
  boost::asio::steady_timer timer_{ioc_};  // the exchange's deadline
  std::uint64_t exchange_ = 0;             // counts start() calls
  bool timed_out_ = false;                 // the deadline closed the socket
  boost::beast::flat_buffer buffer_;
  std::optional<ResponseReader> reader_;
  const RequestParts* request_ = nullptr;
  std::array<char, 24> deadline_value_{};
  std::array<char, 24> key_value_{};
  std::string_view key_;  // this exchange's key, in key_value_
  Clock::time_point deadline_;
  std::uint32_t tag_ = 0;
  bool open_ = false;
  bool reused_ = false;       // this exchange runs on a connection that already served one
  bool reconnected_ = false;  // the one silent reconnect of this exchange is spent
  bool connecting_ = false;   // a failure now is a connect error
};

}  // namespace levee::load
