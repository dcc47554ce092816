#include "proxy/http/http1_sink.h"

#include "proxy/http/head_serializer.h"
#include "proxy/http/sized_relay.h"

#include <boost/asio/buffer.hpp>
#include <fmt/format.h>

namespace levee::http {
namespace bh = boost::beast::http;

Awaitable<bool> Http1Sink::write(std::string_view bytes) {
  const auto [ec, written] = co_await write_whole(down_.stream, boost::asio::buffer(bytes), down_.io_timeout);
  co_return !ec;
}

Awaitable<bool> Http1Sink::write_head(const ResponseHeader& received, bool end) {
  ResponseHeader head = received;
  head.version(11);
  keep_alive_ = down_.keep_alive && !(down_.draining && down_.draining->load(std::memory_order_relaxed));
  const bool sized = head.find(bh::field::content_length) != head.end();
  if (!end && !sized) {
    if (down_.version == 11) chunked_ = true;
    else keep_alive_ = false;  // an HTTP/1.0 client learns the end from the connection closing
  }
  if (chunked_) head.set(bh::field::transfer_encoding, "chunked");
  else if (end && !sized) head.set(bh::field::content_length, "0");
  if (down_.version == 10 && keep_alive_) head.set(bh::field::connection, "keep-alive");
  else if (!keep_alive_) head.set(bh::field::connection, "close");
  serialize_head(head, down_.head_buffer);
  co_return co_await write(down_.head_buffer);
}

Awaitable<bool> Http1Sink::write_body(std::string_view bytes, bool end) {
  if (!chunked_) co_return bytes.empty() || co_await write(bytes);
  out_.clear();
  if (!bytes.empty()) {
    out_ = fmt::format("{:x}\r\n", bytes.size());
    out_.append(bytes);
    out_.append("\r\n");
  }
  if (end) out_.append("0\r\n\r\n");
  co_return out_.empty() || co_await write(out_);
}

Awaitable<bool> Http1Sink::write_trailers(const Fields&) {
  co_return co_await write_body({}, true);
}

}  // namespace levee::http
