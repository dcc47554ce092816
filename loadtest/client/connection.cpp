#include "client/connection.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
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
         ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

}  // namespace

Connection::Connection(asio::io_context& ioc, asio::ip::tcp::endpoint endpoint, ConnectionOwner& owner,
                       std::size_t target, asio::ip::address source, const TargetTls* tls)
    : ioc_(ioc),
      endpoint_(std::move(endpoint)),
      source_(std::move(source)),
      owner_(owner),
      target_(target),
      tls_(tls && tls->context ? tls : nullptr) {}

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
  tls_stream_.reset();  // no close_notify: a load generator's caller just leaves
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
  if (!tls_) {
    write();
    return;
  }
  connecting_ = true;  // until the handshake is done, a failure is the connection's
  tls_stream_.emplace(*socket_, *tls_->context);
  if (tls_->sessions) prepare_resumption(tls_stream_->native_handle(), *tls_->sessions);
  boost::system::error_code address_ec;
  asio::ip::make_address(tls_->server_name, address_ec);
  if (address_ec)  // SNI carries names only (SSL_set_tlsext_host_name, without its C cast)
    SSL_ctrl(tls_stream_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(tls_->server_name.c_str()));
  if (tls_->verify) {
    tls_stream_->set_verify_mode(asio::ssl::verify_peer);
    tls_stream_->set_verify_callback(asio::ssl::host_name_verification(tls_->server_name));
  } else {
    tls_stream_->set_verify_mode(asio::ssl::verify_none);
  }
  tls_stream_->async_handshake(asio::ssl::stream_base::client, [this](const error_code& e) { on_handshake(e); });
}

void Connection::on_handshake(const error_code& ec) {
  if (ec) return fail(ec);
  connecting_ = false;
  write();
}

void Connection::write() {
  // Measured at the write, after any connect, so the proxy hears what is really left.
  const std::string_view value =
      request_->has_deadline ? format_deadline_value(deadline_ - Clock::now(), deadline_value_) : std::string_view{};
  const std::array<asio::const_buffer, 5> buffers{asio::buffer(request_->head), asio::buffer(key_.data(), key_.size()),
                                                  asio::buffer(request_->middle), asio::buffer(value.data(), value.size()),
                                                  asio::buffer(request_->tail)};
  const auto done = [this](const error_code& ec, std::size_t) { on_write(ec); };
  if (tls_stream_) asio::async_write(*tls_stream_, buffers, done);
  else asio::async_write(*socket_, buffers, done);
}

void Connection::on_write(const error_code& ec) {
  if (ec) return fail(ec);
  reader_.emplace();
  const auto done = [this](const error_code& e, std::size_t) { on_read(e); };
  if (tls_stream_) beast::http::async_read(*tls_stream_, buffer_, *reader_, done);
  else beast::http::async_read(*socket_, buffer_, *reader_, done);
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
