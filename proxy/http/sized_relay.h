#pragma once
// The fast way for a message whose body length is known (Content-Length, no chunked framing on
// either side): its header, already laid out in one buffer (head_serializer.h), goes out in the
// same gather write as the first body bytes, and the rest of the body moves as plain bytes from
// one socket to the other through the relay buffer, each read as large as what is left and the
// buffer allow. No parser or serializer sits in the body's way: there is no framing to decode
// or re-encode, only a count.
//
// Used for responses streamed to the client (larger than the buffering limit). Chunked and
// close-delimited bodies keep going through Beast's parser and serializer (relay_body in
// framed_relay.h), which re-frame them.

#include "proxy/http/transfer_all_at_once.h"
#include "proxy/http/transfer_watch.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <tuple>

namespace levee::http {

struct SizedRelayResult {
  boost::beast::error_code error;
  bool input_failed = false;  // the error is the service's side (else the client's)
  bool watch_failed = false;  // the client fell below the transfer rate (the watch says which rule)
};

// How a write of a whole buffer sequence ended, and how many bytes went out.
using WriteResult = std::tuple<boost::beast::error_code, std::size_t>;

// Writes all of `buffers` to `output` one system call at a time, each reported to `watch` (a
// slow client's progress is seen within a write, not only when all of it is done).
template <class Stream, class Buffers>
Awaitable<WriteResult> write_watched(Stream& output, const Buffers buffers,
                                     std::chrono::nanoseconds timeout, TransferWatch& watch) {
  constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::deferred);
  boost::beast::buffers_suffix<Buffers> rest(buffers);
  std::size_t written = 0;
  while (boost::asio::buffer_size(rest) > 0) {
    output.expires_after(timeout);
    auto [ec, n] = co_await output.async_write_some(rest, use_tuple);
    written += n;
    if (watch.completed(n) != policy::TransferVerdict::ok) co_return WriteResult{boost::asio::error::timed_out, written};
    if (ec) co_return WriteResult{ec, written};
    rest.consume(n);
  }
  co_return WriteResult{boost::beast::error_code{}, written};
}

// What write_now sent: the part of the buffers left to send (empty when all went), and the
// error the send met.
template <class Buffers>
struct WriteNow {
  boost::beast::buffers_suffix<Buffers> rest;
  boost::beast::error_code error;
  bool done() const { return error || boost::asio::buffer_size(rest) == 0; }
};

// Sends what `output` takes of `buffers` at once, without waiting (immediate_io.h); the caller
// co_awaits write_whole for `rest` only when some is left, which for a message that fits the
// socket's buffer is never: the coroutine then does not suspend at all.
template <class Stream, class Buffers>
WriteNow<Buffers> write_now(Stream& output, const Buffers& buffers) {
  WriteNow<Buffers> sent{.rest = boost::beast::buffers_suffix<Buffers>(buffers), .error = {}};
  sent.rest.consume(output.write_some_now(buffers, sent.error));
  return sent;
}

// The same for a message that Beast's serializer frames (a chunked body re-encoded, a header
// with it): what the serializer has ready goes out as far as `output` takes it now, piece after
// piece. Returns the bytes sent. Afterwards either the serializer is done or wants the next body
// buffer (`ec` is need_buffer), or `ec` is the send's error, or the socket took less than it
// was offered and the caller finishes with Asio's write of the serializer.
template <class Stream, class Serializer>
std::size_t write_serialized_now(Stream& output, Serializer& serializer, boost::beast::error_code& ec) {
  std::size_t total = 0;
  while (!serializer.is_done()) {
    std::size_t offered = 0;
    std::size_t sent = 0;
    serializer.next(ec, [&](boost::beast::error_code& visit_ec, const auto& buffers) {
      offered = boost::asio::buffer_size(buffers);
      sent = output.write_some_now(buffers, visit_ec);
    });
    if (ec) return total;  // need_buffer included: this piece of the body is all out
    serializer.consume(sent);
    total += sent;
    if (sent < offered) return total;
  }
  return total;
}

// After a message that went at once, before reading the peer's reply: one trip round the
// worker's queue (what Asio's own write costs when it completes at once, without the rest of
// its work). The peer needs about that long to answer; a read tried sooner fails with EAGAIN,
// a system call more each time, and then waits for epoll. Measured without the trip: two failed
// reads a keep-alive request, and 0.78x the requests a second.
template <class Stream>
auto yield_before_reply(Stream& stream) {
  return boost::asio::post(stream.get_executor(), boost::asio::deferred);
}

// Writes all of `buffers` whole: Asio's composed write as a deferred operation, which the caller
// co_awaits with no coroutine frame between (neither levee's nor use_awaitable's). The buffer
// sequence (a few pointers and sizes) is copied into the operation, so a plain function may
// return it; the bytes it points to must outlive the write. Completes with a WriteResult.
// All that is left is offered at each call (transfer_all_at_once.h).
template <class Stream, class Buffers>
auto write_whole(Stream& output, const Buffers& buffers, std::chrono::nanoseconds timeout) {
  output.expires_after(timeout);
  return boost::asio::async_write(output, buffers, TransferAllAtOnce{}, boost::asio::as_tuple(boost::asio::deferred));
}

// A head and a body no larger than this go out as one buffer, the body copied after the head:
// a gather write costs the kernel an iovec import (sendmsg instead of send), Asio a
// multi-buffer operation and TLS one record per buffer, each more than copying 2 KiB.
inline constexpr std::size_t max_body_copied_into_head = 2048;

// Appends `body` to `head` when it is small enough to send with it as one buffer.
inline bool append_small_body(std::string& head, std::string_view body) {
  if (body.size() > max_body_copied_into_head) return false;
  head.append(body);
  return true;
}

// Writes all of `buffers`: whole, or watched when there is a watch (one awaitable type for
// both, for the body relays that may or may not pace their client).
template <class Stream, class Buffers>
Awaitable<WriteResult> write_all(Stream& output, const Buffers buffers, std::chrono::nanoseconds timeout,
                                 TransferWatch* watch) {
  if (watch) return write_watched(output, buffers, timeout, *watch);
  return write_whole(output, buffers, timeout)(use_awaitable);
}

// Relays `head` and then `length` body bytes: first those already read past the header into
// `input_buffer` (consumed here), then the rest read from `input`. Bytes the input sent beyond
// `length` stay in `input_buffer` (the caller must not pool a connection that has any).
// `bytes` counts the body bytes read. A watch is paused while the relay waits on the input.
template <class InStream, class OutStream>
Awaitable<SizedRelayResult> relay_sized_body(
    InStream& input, boost::beast::flat_buffer& input_buffer, OutStream& output, const std::string& head,
    std::uint64_t length, std::span<char> buffer, std::chrono::nanoseconds input_timeout,
    std::chrono::nanoseconds output_timeout, std::uint64_t& bytes, TransferWatch* watch) {
  constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::deferred);
  SizedRelayResult result;
  const auto fail_output = [&](const boost::beast::error_code& ec) {
    result.error = ec;
    result.watch_failed = watch && watch->verdict() != policy::TransferVerdict::ok;
    return result;
  };
  // The header and what came with it, in one write.
  const std::size_t first = static_cast<std::size_t>(std::min<std::uint64_t>(input_buffer.size(), length));
  const std::array<boost::asio::const_buffer, 2> opening{
      boost::asio::buffer(head), boost::asio::buffer(input_buffer.data().data(), first)};
  bytes += first;
  if (const auto [ec, written] = co_await write_all(output, opening, output_timeout, watch); ec)
    co_return fail_output(ec);
  input_buffer.consume(first);
  std::uint64_t left = length - first;
  while (left > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
    input.expires_after(input_timeout);
    if (watch) watch->pause();  // waiting on the service, not the client
    auto [ec, n] = co_await input.async_read_some(boost::asio::buffer(buffer.data(), want), use_tuple);
    if (watch) watch->resume();
    if (ec) {  // the service closed or failed before the whole body came (eof included)
      result.error = ec;
      result.input_failed = true;
      co_return result;
    }
    bytes += n;
    left -= n;
    // What the client's socket takes now goes at once, without a trip round the worker's queue
    // (an asynchronous write's completion is posted even when it wrote everything): a 1 MiB
    // answer made 22 epoll_wait calls, one for nearly every read of its body, and makes 9.5.
    const auto chunk = boost::asio::buffer(buffer.data(), n);
    auto sent = write_now(output, chunk);
    const std::size_t sent_now = n - boost::asio::buffer_size(sent.rest);
    if (watch && sent_now > 0 && watch->completed(sent_now) != policy::TransferVerdict::ok)
      co_return fail_output(boost::asio::error::timed_out);
    if (sent.error) co_return fail_output(sent.error);
    if (!sent.done()) {
      const auto [write_ec, written] = co_await write_all(output, sent.rest, output_timeout, watch);
      if (write_ec) co_return fail_output(write_ec);
    }
  }
  co_return result;
}

// Reading a body of known `length` whole into `out`: first the bytes already read past the
// header into `input_buffer`, then the rest straight from the socket into `out`, each read as
// large as what is left. No parser copies the bytes a second time, and `out` (a reused buffer)
// is filled only where it grows, so an answer of the size of the last one is neither zeroed nor
// copied in user space. In two halves, so that a body that came with its header (a small
// answer, nearly always) costs no coroutine:
//
// take_buffered_body sizes `out` to `length`, moves in what `input_buffer` holds of it
// (consumed there) and returns how many bytes that was.
inline std::size_t take_buffered_body(boost::beast::flat_buffer& input_buffer, std::string& out,
                                      std::uint64_t length) {
  const auto size = static_cast<std::size_t>(length);
  out.resize(size);
  const std::size_t first = std::min(input_buffer.size(), size);
  if (first > 0) std::memcpy(out.data(), input_buffer.data().data(), first);
  input_buffer.consume(first);
  return first;
}

// read_body_rest reads the rest, `out` from `have` on. `timeout` is per read. On an error `out`
// holds what came.
template <class InStream>
Awaitable<boost::beast::error_code> read_body_rest(InStream& input, std::string& out, std::size_t have,
                                                   std::chrono::nanoseconds timeout) {
  constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::deferred);
  const std::size_t size = out.size();
  while (have < size) {
    input.expires_after(timeout);
    auto [ec, n] = co_await input.async_read_some(boost::asio::buffer(out.data() + have, size - have), use_tuple);
    if (ec) {  // eof included: the service closed before the whole body came
      out.resize(have);
      co_return ec;
    }
    have += n;
  }
  co_return boost::beast::error_code{};
}

}  // namespace levee::http
