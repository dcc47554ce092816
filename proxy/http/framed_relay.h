#pragma once
// The relay for a body with framing: chunked, or delimited by the connection's close (a
// response), or a request body while the client is held to a minimum transfer rate. Beast's
// parser decodes the framing on the way in and its serializer writes it again on the way out,
// a relay buffer's worth at a time. A body of known length takes the faster way in
// sized_relay.h; both are called from upstream_exchange.cpp.

#include "proxy/http/field_pool.h"
#include "proxy/http/sized_relay.h"
#include "proxy/http/transfer_watch.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>
#include <tuple>
#include <utility>

namespace levee::http {

// The client's side of a relay when it is held to the minimum transfer rate: its reads (an
// upload) or writes (a download) then go one system call at a time, so that each completion
// reports its bytes to the watch (a whole-buffer read or write would report nothing until a
// slow client filled or drained 32 KiB). None: the relay moves whole buffers, as it always did.
struct PacedClient {
  TransferWatch* watch = nullptr;
  bool is_input = false;

  bool paces_input() const { return watch && is_input; }
  bool paces_output() const { return watch && !is_input; }
};

// What a relay reports when the watch's rule failed (the caller asks the watch which one).
inline const boost::beast::error_code too_slow_error = boost::asio::error::timed_out;

// Moves one parsed message body from `input` to `output` through `buffer`. Beast's buffer_body
// reports need_buffer whenever the buffer is full (reading) or drained (writing); that is flow
// control, not an error. Beast reads only as much as the input buffer has room for (512 bytes
// at least), and a buffer sized for headers would take a body in pieces of that size, one
// syscall each: the room is made first, so one read can fill the relay buffer. The header goes
// out first, through Beast's serializer: it lives in this coroutine's frame, not the callers'
// (about 400 bytes their small, sized exchanges would carry for nothing).
template <class InStream, class OutStream, bool isRequest>
Awaitable<std::pair<boost::beast::error_code, bool>> relay_body(
    InStream& input, boost::beast::flat_buffer& input_buffer,
    boost::beast::http::parser<isRequest, boost::beast::http::buffer_body, FieldAllocator<char>>& parser,
    OutStream& output, std::span<char> buffer, std::chrono::nanoseconds input_timeout,
    std::chrono::nanoseconds output_timeout, std::uint64_t& bytes, PacedClient paced = {}) {
  namespace beast = boost::beast;
  namespace bh = boost::beast::http;
  constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::deferred);
  bh::serializer<isRequest, bh::buffer_body, Fields> serializer{parser.get()};
  auto& body = parser.get().body();
  if (!parser.is_done()) input_buffer.reserve(std::min(buffer.size(), input_buffer.max_size()));
  do {
    if (!parser.is_done()) {
      body.data = buffer.data();
      body.size = buffer.size();
      input.expires_after(input_timeout);
      if (paced.paces_output()) paced.watch->pause();  // waiting on the service, not the client
      beast::error_code ec;
      if (paced.paces_input()) {
        // One read at a time, but all of what already arrived is parsed before anything is
        // written: a body that is broken further on in the same read is refused as a whole, as
        // the unpaced read does, before the service sees a byte of it.
        do {
          std::size_t n = 0;
          std::tie(ec, n) = co_await bh::async_read_some(input, input_buffer, parser, use_tuple);
          if (paced.watch->completed(n) != policy::TransferVerdict::ok) co_return std::pair{too_slow_error, true};
        } while (!ec && !parser.is_done() && body.size > 0 && input_buffer.size() > 0);
      } else {
        std::tie(ec, std::ignore) = co_await bh::async_read(input, input_buffer, parser, use_tuple);
      }
      if (paced.paces_output()) paced.watch->resume();
      if (ec && ec != bh::error::need_buffer) co_return std::pair{ec, true};  // input failed
      body.size = buffer.size() - body.size;
      body.data = buffer.data();
      body.more = !parser.is_done();
      bytes += body.size;
      // One read may have taken only chunk framing: an empty piece must not reach the
      // serializer, which would end a chunked body with it.
      if (body.size == 0 && body.more) continue;
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    if constexpr (!isRequest) {
      // The answer's pieces go to the client at once, as a sized body's do (relay_sized_body).
      // The request's keep Asio's write: its trip round the worker's queue gives the service
      // time to answer before levee reads (immediate_io.h).
      beast::error_code ec;
      const std::size_t sent = write_serialized_now(output, serializer, ec);
      if (paced.paces_output() && sent > 0 && paced.watch->completed(sent) != policy::TransferVerdict::ok)
        co_return std::pair{too_slow_error, false};
      if (ec == bh::error::need_buffer || (!ec && serializer.is_done())) continue;
      if (ec) co_return std::pair{ec, false};  // output failed
    }
    if (paced.paces_output()) {
      for (;;) {
        output.expires_after(output_timeout);
        auto [ec, n] = co_await bh::async_write_some(output, serializer, use_tuple);
        if (paced.watch->completed(n) != policy::TransferVerdict::ok) co_return std::pair{too_slow_error, false};
        if (ec == bh::error::need_buffer) break;
        if (ec) co_return std::pair{ec, false};  // output failed
        if (serializer.is_done()) break;
      }
    } else {
      output.expires_after(output_timeout);
      if (paced.paces_input()) paced.watch->pause();  // waiting on the service, not the client
      auto [ec, n] = co_await bh::async_write(output, serializer, use_tuple);
      if (paced.paces_input()) paced.watch->resume();
      if (ec && ec != bh::error::need_buffer) co_return std::pair{ec, false};  // output failed
    }
  } while (!parser.is_done() || !serializer.is_done());
  co_return std::pair{beast::error_code{}, false};
}

}  // namespace levee::http
