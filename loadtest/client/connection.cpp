#include "client/connection.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>
#include <netinet/in.h>
#include <sys/socket.h>

namespace levee::load {
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// The server closed a kept-alive connection before (or while) we reused it: not the target's
// failure to answer this request, so it is retried once on a fresh connection.
bool is_stale_keep_alive(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == beast::http::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

}  // namespace

Connection::Connection(asio::io_context& ioc, asio::ip::tcp::endpoint endpoint, ConnectionOwner& owner,
                       std::size_t target, asio::ip::address source)
    : ioc_(ioc), endpoint_(std::move(endpoint)), source_(std::move(source)), owner_(owner), target_(target) {}

void Connection::start(const RequestParts& request, Clock::time_point deadline, std::uint32_t tag, std::uint32_t key) {
  request_ = &request;
  key_ = request.has_key ? format_key_value(key, key_value_) : std::string_view{};
  deadline_ = deadline;
  tag_ = tag;
  reconnected_ = false;
  reused_ = open_;
  timed_out_ = false;
  // One timer per exchange covers connect, write and read: a timer per socket operation (as
  // beast::tcp_stream does) costs a schedule and a cancel each, and the generator's budget is a
  // few tens of microseconds per request. `exchange` tells a stale expiry from this one.
  const std::uint64_t exchange = ++exchange_;
  timer_.expires_at(deadline_);
  timer_.async_wait([this, exchange](const error_code& ec) {
    if (ec || exchange != exchange_ || !socket_) return;
    timed_out_ = true;
    // Closing fails the pending operation (operation_aborted), which reports the timeout. The
    // socket object stays until then: the operation still refers to it.
    beast::error_code ignored;
    socket_->set_option(asio::socket_base::linger(true, 0), ignored);
    socket_->close(ignored);
  });
  if (open_) write();
  else connect();
}

void Connection::close(bool abort) {
  if (socket_ && socket_->is_open()) {
    beast::error_code ignored;
    // A caller that gives up closes with a reset. Under a retry storm the generator abandons
    // thousands of connections a second; graceful closes would park each in TIME_WAIT for 60 s,
    // exhaust loopback's ephemeral ports within seconds, and make every connect() a slow scan of
    // the port space on the sending thread. The target sees the caller leave either way.
    if (abort) socket_->set_option(asio::socket_base::linger(true, 0), ignored);
    else socket_->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_->close(ignored);
  }
  socket_.reset();
  buffer_.clear();
  open_ = false;
}

void Connection::connect() {
  close();
  socket_.emplace(ioc_);
  if (!source_.is_unspecified()) bind_source();
  connecting_ = true;
  socket_->async_connect(endpoint_, [this](const error_code& ec) { on_connect(ec); });
}

// Connecting from a distinct loopback address per connection gives each its own ephemeral port
// space toward the target. Otherwise a retry storm's closed connections (TIME_WAIT on whichever
// side closed) fill the one space of 28k ports, and connect() turns into a slow kernel scan of
// it on the sending thread. IP_BIND_ADDRESS_NO_PORT defers the port choice to connect(), where
// the kernel checks the whole 4-tuple. Best effort: on any failure the kernel picks as usual.
void Connection::bind_source() {
  beast::error_code ec;
  auto& socket = *socket_;
  socket.open(endpoint_.protocol(), ec);
  if (ec) return;
#ifdef IP_BIND_ADDRESS_NO_PORT
  const int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
  socket.bind(asio::ip::tcp::endpoint(source_, 0), ec);
}

void Connection::on_connect(const error_code& ec) {
  connecting_ = false;
  if (ec) return fail(ec);
  open_ = true;
  beast::error_code ignored;
  socket_->set_option(asio::ip::tcp::no_delay(true), ignored);
  write();
}

void Connection::write() {
  // Measured at the write, after any connect, so the proxy hears what is really left.
  const std::string_view value =
      request_->has_deadline ? format_deadline_value(deadline_ - Clock::now(), deadline_value_) : std::string_view{};
  const std::array<asio::const_buffer, 5> buffers{asio::buffer(request_->head), asio::buffer(key_.data(), key_.size()),
                                                  asio::buffer(request_->middle), asio::buffer(value.data(), value.size()),
                                                  asio::buffer(request_->tail)};
  asio::async_write(*socket_, buffers, [this](const error_code& ec, std::size_t) { on_write(ec); });
}

void Connection::on_write(const error_code& ec) {
  if (ec) return fail(ec);
  reader_.emplace();
  beast::http::async_read(*socket_, buffer_, *reader_, [this](const error_code& e, std::size_t) { on_read(e); });
}

void Connection::on_read(const error_code& ec) {
  if (ec) return fail(ec);
  timer_.cancel();
  ExchangeResult result;
  result.status = reader_->status();
  result.outcome = outcome_of_status(result.status);
  result.retry_after = reader_->retry_after();
  if (!reader_->keep_alive()) close();
  finish(result);
}

void Connection::fail(const error_code& ec) {
  const bool timed_out = timed_out_ || Clock::now() >= deadline_;
  if (!timed_out && reused_ && !reconnected_ && is_stale_keep_alive(ec)) {
    reconnected_ = true;
    reused_ = false;
    connect();
    return;
  }
  ExchangeResult result;
  if (timed_out) result.outcome = Outcome::timeout;  // the caller gave up; closing tells the target
  else if (connecting_) result.outcome = Outcome::connect_error;
  else if (ec.category() == beast::http::make_error_code(beast::http::error::end_of_stream).category() &&
           ec != beast::http::error::end_of_stream)
    result.outcome = Outcome::protocol;
  else result.outcome = Outcome::closed;
  connecting_ = false;
  timer_.cancel();
  close(timed_out);
  finish(result);
}

void Connection::finish(const ExchangeResult& result) {
  ++exchange_;  // an expiry already queued for this exchange must not touch the next one
  owner_.on_exchange_done(*this, result);
}

}  // namespace levee::load
