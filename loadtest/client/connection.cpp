#include "client/connection.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>

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
                       std::size_t target)
    : ioc_(ioc), endpoint_(std::move(endpoint)), owner_(owner), target_(target) {}

void Connection::start(const RequestParts& request, Clock::time_point deadline, std::uint32_t tag) {
  request_ = &request;
  deadline_ = deadline;
  tag_ = tag;
  reconnected_ = false;
  reused_ = open_;
  if (open_) write();
  else connect();
}

void Connection::close(bool abort) {
  if (stream_) {
    beast::error_code ignored;
    // A caller that gives up closes with a reset. Under a retry storm the generator abandons
    // thousands of connections a second; graceful closes would park each in TIME_WAIT for 60 s,
    // exhaust loopback's ephemeral ports within seconds, and make every connect() a slow scan of
    // the port space on the sending thread. The target sees the caller leave either way.
    if (abort) stream_->socket().set_option(asio::socket_base::linger(true, 0), ignored);
    else stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_->socket().close(ignored);
  }
  stream_.reset();
  buffer_.clear();
  open_ = false;
}

void Connection::connect() {
  close();
  stream_.emplace(ioc_);
  stream_->expires_at(deadline_);
  connecting_ = true;
  stream_->async_connect(endpoint_, [this](const error_code& ec) { on_connect(ec); });
}

void Connection::on_connect(const error_code& ec) {
  connecting_ = false;
  if (ec) return fail(ec);
  open_ = true;
  beast::error_code ignored;
  stream_->socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  write();
}

void Connection::write() {
  stream_->expires_at(deadline_);
  // Measured at the write, after any connect, so the proxy hears what is really left.
  const std::string_view value =
      request_->has_deadline ? format_deadline_value(deadline_ - Clock::now(), deadline_value_) : std::string_view{};
  const std::array<asio::const_buffer, 3> buffers{asio::buffer(request_->head), asio::buffer(value.data(), value.size()),
                                                  asio::buffer(request_->tail)};
  asio::async_write(stream_->socket(), buffers, [this](const error_code& ec, std::size_t) { on_write(ec); });
}

void Connection::on_write(const error_code& ec) {
  if (ec) return fail(ec);
  reader_.emplace();
  beast::http::async_read(*stream_, buffer_, *reader_, [this](const error_code& e, std::size_t) { on_read(e); });
}

void Connection::on_read(const error_code& ec) {
  if (ec) return fail(ec);
  ExchangeResult result;
  result.status = reader_->status();
  result.outcome = outcome_of_status(result.status);
  result.retry_after = reader_->retry_after();
  if (!reader_->keep_alive()) close();
  finish(result);
}

void Connection::fail(const error_code& ec) {
  const bool timed_out = ec == beast::error::timeout || Clock::now() >= deadline_;
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
  close(timed_out);
  finish(result);
}

void Connection::finish(const ExchangeResult& result) { owner_.on_exchange_done(*this, result); }

}  // namespace levee::load
