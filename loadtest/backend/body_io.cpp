#include "backend/body_io.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/http/read.hpp>

namespace levee::load {

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto io_timeout = std::chrono::seconds(30);

// A whole number of alphabets, so every chunk continues the pattern where the last one ended.
constexpr std::size_t pattern_size = 26 * 630;

constexpr std::array<char, pattern_size> make_pattern() {
  std::array<char, pattern_size> p{};
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>('a' + i % 26);
  return p;
}

constexpr std::array<char, pattern_size> pattern = make_pattern();

}  // namespace

asio::awaitable<bool> consume_body(Exchange& ex, BodyDigest* digest) {
  std::array<char, 16 * 1024> chunk;
  auto& body = ex.parser.get().body();
  while (!ex.parser.is_done()) {
    body.data = chunk.data();
    body.size = chunk.size();
    ex.stream.expires_after(io_timeout);
    auto [ec, n] = co_await http::async_read(ex.stream, ex.buffer, ex.parser, nothrow);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return false;
    std::size_t got = chunk.size() - body.size;
    if (digest != nullptr) {
      digest->bytes += got;
      digest->hash.update(chunk.data(), got);
    }
  }
  co_return true;
}

asio::awaitable<After> send_text(Exchange& ex, unsigned status, std::string_view content_type,
                                 std::string body, bool retry_after) {
  const auto& req = ex.parser.get();
  http::response<http::string_body> res{http::int_to_status(status), req.version()};
  res.result(status);  // int_to_status maps unknown codes to "unknown"; keep the number
  res.set(http::field::server, "levee-load-backend");
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  if (retry_after) res.set(http::field::retry_after, "1");
  res.keep_alive(req.keep_alive());
  if (status != 204 && status != 304) res.body() = std::move(body);
  res.prepare_payload();
  // A HEAD answer announces the length the GET would have, and carries no body.
  if (req.method() == http::verb::head) res.body().clear();
  ex.stream.expires_after(io_timeout);
  auto [ec, n] = co_await http::async_write(ex.stream, res, nothrow);
  co_return (ec || !res.keep_alive()) ? After::close : After::keep_alive;
}

asio::awaitable<After> send_pattern(Exchange& ex, std::uint64_t n, bool chunked) {
  const auto& req = ex.parser.get();
  http::response<http::buffer_body> res{http::status::ok, req.version()};
  res.set(http::field::server, "levee-load-backend");
  res.set(http::field::content_type, "application/octet-stream");
  res.keep_alive(req.keep_alive());
  if (chunked) {
    res.chunked(true);
  } else {
    res.content_length(n);
  }
  res.body().data = nullptr;
  res.body().more = true;
  http::response_serializer<http::buffer_body> serializer{res};
  ex.stream.expires_after(io_timeout);
  auto [hec, hn] = co_await http::async_write_header(ex.stream, serializer, nothrow);
  if (hec) co_return After::close;
  if (req.method() == http::verb::head) co_return res.keep_alive() ? After::keep_alive : After::close;

  std::uint64_t sent = 0;
  do {
    std::size_t size = static_cast<std::size_t>(std::min<std::uint64_t>(n - sent, pattern.size()));
    sent += size;
    // buffer_body wants a mutable pointer but only reads through it when serializing.
    res.body().data = size == 0 ? nullptr : const_cast<char*>(pattern.data());
    res.body().size = size;
    res.body().more = sent < n;
    ex.stream.expires_after(io_timeout);
    auto [ec, written] = co_await http::async_write(ex.stream, serializer, nothrow);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return After::close;
  } while (!serializer.is_done());
  co_return res.keep_alive() ? After::keep_alive : After::close;
}

}  // namespace levee::load
