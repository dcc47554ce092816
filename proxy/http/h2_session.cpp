#include "proxy/http/h2_session.h"

#include "proxy/http/transfer_all_at_once.h"
#include "proxy/http/h2_stream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <type_traits>

namespace levee::http {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::deferred);
constexpr std::size_t read_size = 16 * 1024;
// Between the GOAWAY announcing shutdown and the final one: a round trip, generously (RFC
// 9113 6.8 suggests at least one RTT), so requests the client sent meanwhile are still served.
constexpr std::chrono::seconds drain_notice_wait{1};
// A write that makes no progress for this long: the client stopped reading altogether.
constexpr std::chrono::seconds write_timeout{30};

}  // namespace

H2Session::H2Session(MaybeTlsStream& stream, Worker& worker, ProxyShared& shared, std::string_view client_address,
                     const std::optional<policy::IpAddress>& peer, const config::ListenerConfig& listener)
    : stream_(stream),
      worker_(worker),
      shared_(shared),
      client_address_(client_address),
      peer_(peer),
      tls_(stream.is_tls()),
      idle_timeout_(listener.idle_timeout),
      max_request_body_(listener.http2.settings.connection_window_size),
      connection_(listener.http2.settings, shared.clock.now()),
      write_wake_(worker.context),
      idle_timer_(worker.context),
      drain_timer_(worker.context),
      write_deadline_(worker.context),
      last_active_(shared.clock.now()) {}

H2Session::~H2Session() = default;

void H2Session::wake_writer() { write_wake_.cancel(); }

Awaitable<void> H2Session::run(std::string_view already_read) {
  using namespace asio::experimental::awaitable_operators;
  auto self = shared_from_this();
  shared_.metrics.h2_connections().Increment();
  feed(already_read);
  arm_idle_timer(idle_timeout_);
  if (shared_.draining.load(std::memory_order_relaxed)) drain();
  co_await (read_loop() && write_loop());
  idle_timer_.cancel();
  drain_timer_.cancel();
  write_deadline_.cancel();
  // The connection is over: every stream still here loses its client.
  for (auto& [id, stream] : streams_) {
    stream->closed = true;
    stream->gone.fire();
    stream->output_drained.cancel();
  }
  streams_.clear();
}

void H2Session::stop_reading() {
  reading_ = false;
  wake_writer();
}

Awaitable<void> H2Session::read_loop() {
  std::string buffer;
  while (reading_ && !connection_.should_close()) {
    buffer.resize(read_size);
    stream_.expires_never();  // the idle timer bounds the wait, and only when no stream is open
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer), use_tuple);
    if (ec) break;
    last_active_ = shared_.clock.now();
    feed(std::string_view(buffer.data(), n));
  }
  stop_reading();
}

Awaitable<void> H2Session::write_loop() {
  for (;;) {
    const auto output = connection_.pending_output(shared_.clock.now());
    if (output.empty()) {
      // Streams whose queue drained into the output may queue more now.
      for (auto& [id, stream] : streams_) stream->output_drained.cancel();
      if (!reading_ || connection_.should_close()) break;
      write_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await write_wake_.async_wait(use_tuple);
      continue;
    }
    // Copied out: stream coroutines may add output while this write is in flight.
    write_buffer_.assign(reinterpret_cast<const char*>(output.data()), output.size());
    connection_.consume_output(output.size());
    // The stream's own deadline would apply to the pending read as well: a timer of the
    // session's bounds the write alone, and ends the connection when it stalls.
    stream_.expires_never();
    const std::uint64_t generation = ++write_generation_;
    write_deadline_.expires_after(write_timeout);
    write_deadline_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->write_generation_ != generation) return;
      self->stream_.cancel();
    });
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(write_buffer_), TransferAllAtOnce{}, use_tuple);
    ++write_generation_;
    write_deadline_.cancel();
    if (ec) break;
  }
  // Done writing: the read loop stops too (its pending read is cancelled).
  reading_ = false;
  stream_.cancel();
}

void H2Session::feed(std::string_view bytes) {
  connection_.feed(bytes, shared_.clock.now());
  dispatch();
  if (const auto abuse = connection_.abuse(); abuse && !abuse_counted_) {
    abuse_counted_ = true;
    shared_.metrics.h2_abuse(static_cast<std::size_t>(*abuse)).Increment();
    spdlog::info("client {}: HTTP/2 {} rule broken; GOAWAY ENHANCE_YOUR_CALM", client_address_,
                 policy::name(*abuse));
  }
  wake_writer();
}

void H2Session::dispatch() {
  for (h2::Event& event : connection_.take_events()) {
    std::visit(
        [&](auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, h2::GoAwayReceived>) {
            return;
          } else {
            const auto found = streams_.find(e.stream);
            if constexpr (std::is_same_v<E, h2::StreamOpened>) {
              shared_.metrics.h2_streams().Increment();
              auto stream = std::make_shared<H2Stream>(e.stream, std::move(e.fields), !e.end_stream,
                                                       shared_.clock.now(), worker_.context.get_executor());
              streams_[e.stream] = stream;
              if (e.end_stream) {
                stream->started = true;
                asio::co_spawn(worker_.context, serve_stream(shared_from_this(), stream), asio::detached);
              }
              return;
            }
            if (found == streams_.end()) return;
            H2Stream& stream = *found->second;
            if constexpr (std::is_same_v<E, h2::RequestData>) {
              // Held whole, so handed back at once: the client's window reopens as levee stores it.
              connection_.consume_request_body(e.stream, e.bytes.size());
              if (stream.too_large || held_request_bytes_ + e.bytes.size() > max_request_body_) {
                stream.too_large = true;
                std::string().swap(stream.body);
                held_request_bytes_ -= stream.held;
                stream.held = 0;
              } else {
                stream.body += e.bytes;
                stream.held += e.bytes.size();
                held_request_bytes_ += e.bytes.size();
              }
            } else if constexpr (std::is_same_v<E, h2::RequestEnd>) {
              if (!stream.started) {
                stream.started = true;
                asio::co_spawn(worker_.context, serve_stream(shared_from_this(), found->second), asio::detached);
              }
            } else if constexpr (std::is_same_v<E, h2::StreamReset>) {
              stream.gone.fire();
            } else if constexpr (std::is_same_v<E, h2::StreamClosed>) {
              stream.closed = true;
              stream.gone.fire();
              stream.output_drained.cancel();
              held_request_bytes_ -= stream.held;
              streams_.erase(found);
              last_active_ = shared_.clock.now();
            }
          }
        },
        event);
  }
}

void H2Session::arm_idle_timer(std::chrono::nanoseconds after) {
  idle_timer_.expires_after(after);
  idle_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || !self->reading_) return;
    const auto idle_for = self->shared_.clock.now() - self->last_active_;
    if (self->connection_.open_streams() == 0 && idle_for >= self->idle_timeout_) {
      self->connection_.goaway(h2::error_code::no_error);
      self->wake_writer();
      return;
    }
    self->arm_idle_timer(self->connection_.open_streams() == 0 ? self->idle_timeout_ - idle_for
                                                               : self->idle_timeout_);
  });
}

void H2Session::drain() {
  if (draining_ || !reading_) return;
  draining_ = true;
  connection_.announce_shutdown();
  wake_writer();
  drain_timer_.expires_after(drain_notice_wait);
  drain_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->connection_.goaway(h2::error_code::no_error);
    self->wake_writer();
  });
}

}  // namespace levee::http
