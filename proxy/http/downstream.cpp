#include "proxy/http/downstream.h"

#include "proxy/http/whole_body.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <string_view>

namespace levee::http {

Awaitable<bool> send_continue_once(Downstream& down) {
  if (!down.continue_owed) co_return true;
  down.continue_owed = false;
  static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
  down.stream.expires_after(down.io_timeout);
  auto [ec, n] = co_await boost::asio::async_write(down.stream, boost::asio::buffer(continue_line),
                                                   boost::asio::as_tuple(boost::asio::deferred));
  co_return !ec;
}

Awaitable<ExchangeError> read_request_body(Downstream& down, RequestParser& parser, std::string& body,
                                           std::uint64_t length) {
  if (!co_await send_continue_once(down)) co_return ExchangeError::client_gone;
  const auto ec = co_await read_whole_body(down.stream, down.buffer, parser, body, length, down.io_timeout);
  if (!ec) co_return ExchangeError::none;
  co_return ec == boost::beast::http::error::body_limit ? ExchangeError::request_too_large : ExchangeError::client_gone;
}

}  // namespace levee::http
