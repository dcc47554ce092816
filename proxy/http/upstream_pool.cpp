#include "proxy/http/upstream_pool.h"

#include "proxy/http/h2_upstream_pool.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include <sys/socket.h>

#include <tuple>

namespace levee::http {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// Services close idle keep-alive connections after seconds, not milliseconds: a connection
// that carried a request within the last second is taken without the probe's syscall. If it
// is dead after all, the forwarder retries on a fresh connection before any body byte is sent.
constexpr auto probe_after_idle = std::chrono::seconds(1);

// Room for the service's answer before its header is read. Beast reads as much as the buffer
// has room for, and never less than 512 bytes: a buffer that starts empty stays at 512, so an
// answer of a few hundred bytes more (a 1 KiB body and its header) took two reads, the second
// an Asio operation of its own, with its trip round the worker's queue (6% of a 1 KiB answer's
// instructions). With this, a header and a small body come in one read; a larger body is read
// straight into the answer's own buffer (read_body_rest) or the relay buffer.
constexpr std::size_t first_read_size = 4096;

}  // namespace

UpstreamConnection::UpstreamConnection(asio::io_context& context, UpstreamShared& shared)
    : stream_(context), shared_(shared) {
  buffer_.reserve(first_read_size);
  shared_.open.fetch_add(1, std::memory_order_relaxed);
}

UpstreamConnection::~UpstreamConnection() {
  shared_.open.fetch_sub(1, std::memory_order_relaxed);
}

UpstreamPool::UpstreamPool(asio::io_context& context, const config::UpstreamConfig& config,
                           std::vector<asio::ip::tcp::endpoint> endpoints, UpstreamShared& shared, std::size_t worker,
                           UpstreamTls tls)
    : context_(context),
      config_(config),
      endpoints_(std::move(endpoints)),
      shared_(shared),
      worker_(worker),
      tls_(std::move(tls)) {
  if (config::is_http2(config_.protocol))
    h2_ = std::make_unique<H2UpstreamPool>(context_, config_, endpoints_, shared_, tls_);
}

UpstreamPool::~UpstreamPool() = default;

bool UpstreamPool::still_open(UpstreamConnection& connection) const {
  // A peer that closed an idle keep-alive connection leaves EOF (or an RST) in the socket; a
  // non-blocking peek sees it for the price of one syscall instead of a failed request.
  char byte;
  const auto fd = connection.stream_.socket().native_handle();
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::unique_ptr<UpstreamConnection> UpstreamPool::reuse_idle(Clock::time_point now) {
  while (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    shared_.idle.add(worker_, -1);
    const auto idle = now - connection->idle_since_;
    if (idle < config_.idle_timeout && (idle < probe_after_idle || still_open(*connection))) {
      connection->reused_ = true;
      shared_.reuses.add(worker_, 1);
      return connection;
    }
  }
  return nullptr;
}

Awaitable<Acquired> UpstreamPool::acquire(Clock::time_point now, bool fresh_only) {
  if (!fresh_only) {
    if (auto connection = reuse_idle(now)) co_return Acquired{std::move(connection), AcquireError::none};
  }
  // The cap counts connections in use. Idle ones are pooled per worker, so counting them would
  // let one worker's idle connections make another answer 503 until they time out; they are
  // bounded instead by release(), which closes rather than pools while the total is over.
  // The constructor counts the connection; re-checking after it closes the race between workers
  // (at worst both give up, never both exceed the cap).
  if (in_use() >= config_.max_connections) co_return Acquired{nullptr, AcquireError::pool_exhausted};
  auto connection = std::make_unique<UpstreamConnection>(context_, shared_);
  if (in_use() > config_.max_connections) co_return Acquired{nullptr, AcquireError::pool_exhausted};

  // Each resolved address gets the whole connect_timeout: one that does not answer must not
  // use up the time of the next.
  auto& stream = connection->stream_.tcp();
  boost::system::error_code ec = asio::error::host_not_found;
  for (const auto& endpoint : endpoints_) {
    stream.expires_after(config_.connect_timeout);
    std::tie(ec) = co_await stream.async_connect(endpoint, asio::as_tuple(asio::deferred));
    if (!ec) break;
    stream.close();
  }
  if (ec) {
    const bool timed_out = ec == boost::beast::error::timeout;
    co_return Acquired{nullptr, timed_out ? AcquireError::connect_timeout : AcquireError::connect_refused};
  }
  boost::system::error_code ignored;
  stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (tls_.context) {
    ec = co_await upstream_handshake(connection->stream_, tls_, config_.connect_timeout);
    if (ec == boost::beast::error::timeout) co_return Acquired{nullptr, AcquireError::connect_timeout};
    if (ec) co_return Acquired{nullptr, AcquireError::tls_handshake};
  }
  shared_.connects.fetch_add(1, std::memory_order_relaxed);
  co_return Acquired{std::move(connection), AcquireError::none};
}

void UpstreamPool::release(std::unique_ptr<UpstreamConnection> connection, bool reusable,
                           Clock::time_point now) {
  if (!reusable || connection->retired_ || connection->buffer_.size() != 0) return;  // destructor closes it
  // Over the cap in all (other workers' idle connections let this one be made): close it, so
  // the total comes back under the cap as exchanges finish.
  if (shared_.open.load(std::memory_order_relaxed) > config_.max_connections) return;
  connection->stream_.expires_never();
  connection->idle_since_ = now;
  idle_.push_back(std::move(connection));
  shared_.idle.add(worker_, 1);
}

void UpstreamPool::sweep(Clock::time_point now) {
  if (h2_) h2_->sweep(now);
  std::erase_if(idle_, [&](const std::unique_ptr<UpstreamConnection>& c) {
    const bool expired = now - c->idle_since_ >= config_.idle_timeout;
    if (expired) shared_.idle.add(worker_, -1);
    return expired;
  });
}

void UpstreamPool::close_all() {
  close_idle();
  if (h2_) h2_->close_all();
}

void UpstreamPool::close_idle() {
  if (h2_) h2_->close_idle();
  shared_.idle.add(worker_, -static_cast<std::int64_t>(idle_.size()));
  idle_.clear();
}

}  // namespace levee::http
