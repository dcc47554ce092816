#include "backend/echo_upgrade.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>

#include <array>
#include <memory>
#include <string>

#include "backend/body_io.h"
#include "backend/target.h"

namespace levee::load {
namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto echo_idle_timeout = std::chrono::seconds(120);
constexpr std::string_view text_plain = "text/plain";

bool asks_upgrade(const RequestParser& parser) {
  const auto& request = parser.get();
  const std::string_view connection = request[http::field::connection];
  std::string lower(connection);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return !request[http::field::upgrade].empty() && lower.find("upgrade") != std::string::npos;
}

}  // namespace

asio::awaitable<After> handle_echo_upgrade(Exchange& ex, std::string_view query) {
  if (!asks_upgrade(ex.parser)) co_return co_await send_text(ex, 426, text_plain, "upgrade required\n");
  if (query_number(query, "decline").value_or(0) != 0)
    co_return co_await send_text(ex, 403, text_plain, "upgrade declined\n");

  std::string head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: ";
  head.append(ex.parser.get()[http::field::upgrade]).append("\r\nConnection: Upgrade\r\n\r\n");
  head.append(query_param(query, "greeting").value_or(""));
  ex.stream.expires_after(echo_idle_timeout);
  auto [hec, hn] = co_await asio::async_write(ex.stream, asio::buffer(head), nothrow);
  if (hec) co_return After::close;

  // Bytes that came with the request header are the first to echo.
  if (ex.buffer.size() > 0) {
    ex.stream.expires_after(echo_idle_timeout);
    auto [ec, n] = co_await asio::async_write(ex.stream, ex.buffer.data(), nothrow);
    if (ec) co_return After::close;
    ex.buffer.consume(n);
  }
  const auto buffer = std::make_unique<std::array<char, 16 * 1024>>();
  for (;;) {
    ex.stream.expires_after(echo_idle_timeout);
    auto [ec, n] = co_await ex.stream.async_read_some(asio::buffer(*buffer), nothrow);
    if (ec) break;  // end of stream (the client is done) or an error: the session closes
    ex.stream.expires_after(echo_idle_timeout);
    auto [wec, wn] = co_await asio::async_write(ex.stream, asio::buffer(buffer->data(), n), nothrow);
    if (wec) break;
  }
  co_return After::close;
}

}  // namespace levee::load
