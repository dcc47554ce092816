#pragma once
// Reads a message body of known length whole into memory, through the parser that read its
// header (so framing and limits stay the parser's). Used where a body must be complete before
// anything else happens: a small request body before admission (a slow upload then holds no
// permit) or before a retry, a small response body before the permit is released (a slow
// reader then holds none).

#include "proxy/http/field_pool.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

namespace levee::http {

// The most one read of a whole body asks for.
inline constexpr std::size_t max_read_room = 64 * 1024;

// `out` ends up holding the bytes read (all `length` of them on success). Errors are the
// stream's or the parser's (body_limit, partial_message); `timeout` is per read.
template <class Stream, bool isRequest>
Awaitable<boost::beast::error_code> read_whole_body(
    Stream& stream, boost::beast::flat_buffer& buffer,
    boost::beast::http::parser<isRequest, boost::beast::http::buffer_body, FieldAllocator<char>>& parser, std::string& out,
    std::uint64_t length, std::chrono::nanoseconds timeout) {
  namespace bh = boost::beast::http;
  out.resize(static_cast<std::size_t>(length));
  // Beast reads only as much as the buffer has room for (512 bytes at least): without the room
  // a body arrives in pieces of a few hundred bytes, one syscall each.
  if (!parser.is_done())
    buffer.reserve(std::min<std::size_t>({out.size() + 1024, max_read_room, buffer.max_size()}));
  auto& body = parser.get().body();
  std::size_t filled = 0;
  boost::beast::error_code result;
  while (!parser.is_done()) {
    if (filled == out.size()) {  // more than the Content-Length said: cannot happen with a valid parser
      result = bh::error::body_limit;
      break;
    }
    body.data = out.data() + filled;
    body.size = out.size() - filled;
    stream.expires_after(timeout);
    auto [ec, n] = co_await bh::async_read(stream, buffer, parser,
                                           boost::asio::as_tuple(boost::asio::deferred));
    filled = out.size() - body.size;
    if (ec && ec != bh::error::need_buffer) {
      result = ec;
      break;
    }
  }
  out.resize(filled);
  body.data = nullptr;
  body.size = 0;
  co_return result;
}

}  // namespace levee::http
