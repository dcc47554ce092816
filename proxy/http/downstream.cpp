#include "proxy/http/downstream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <string_view>

namespace levee::http {

boost::asio::awaitable<bool> send_continue_once(Downstream& down) {
  if (!down.continue_owed) co_return true;
  down.continue_owed = false;
  static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
  down.stream.expires_after(down.io_timeout);
  auto [ec, n] = co_await boost::asio::async_write(down.stream, boost::asio::buffer(continue_line),
                                                   boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return !ec;
}

}  // namespace levee::http
