#include "proxy/health/probe.h"

#include <algorithm>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include "proxy/http/maybe_tls_stream.h"
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

namespace levee::health {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::deferred);
// A health endpoint's header is small; a huge one is a misconfigured path, not a pass.
constexpr std::uint32_t max_header_bytes = 16 * 1024;

ProbeResult failed(std::string_view step, const boost::system::error_code& ec, const ProbeTarget& target) {
  if (ec == beast::error::timeout)
    return {false, fmt::format("{}: no answer within {} ms", step,
                               std::chrono::duration_cast<std::chrono::milliseconds>(target.timeout).count())};
  return {false, fmt::format("{}: {}", step, ec.message())};
}
}  // namespace

http::Awaitable<ProbeResult> probe(const ProbeTarget& target) {
  http::MaybeTlsStream stream(co_await asio::this_coro::executor);
  auto& tcp = stream.tcp();
  const auto started = std::chrono::steady_clock::now();
  // One deadline for the whole probe: the stream's expiry covers every operation after it.
  tcp.expires_after(target.timeout);
  boost::system::error_code ec = asio::error::host_not_found;
  for (const auto& endpoint : target.endpoints) {
    std::tie(ec) = co_await tcp.async_connect(endpoint, use_tuple);
    if (!ec || ec == beast::error::timeout) break;
    tcp.close();
    tcp.expires_after(target.timeout);  // close() cancelled the timer
  }
  if (ec) co_return failed("connect", ec, target);
  if (target.tls.context) {
    const auto left = target.timeout - (std::chrono::steady_clock::now() - started);
    ec = co_await http::upstream_handshake(stream, target.tls, std::max<std::chrono::nanoseconds>(left, std::chrono::nanoseconds(1)));
    if (ec) co_return failed("TLS handshake", ec, target);
  }

  bh::request<bh::empty_body> request{bh::verb::get, target.path, 11};
  request.set(bh::field::host, target.host);
  request.set(bh::field::user_agent, "levee-health-check");
  request.set(bh::field::connection, "close");
  std::tie(ec, std::ignore) = co_await bh::async_write(stream, request, use_tuple);
  if (ec) co_return failed("send", ec, target);

  beast::flat_buffer buffer;
  bh::response_parser<bh::empty_body> parser;
  parser.header_limit(max_header_bytes);
  std::tie(ec, std::ignore) = co_await bh::async_read_header(stream, buffer, parser, use_tuple);
  if (ec) co_return failed("response", ec, target);
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  const unsigned status = parser.get().result_int();
  if (status < 200 || status >= 300) co_return ProbeResult{false, fmt::format("GET {} answered {}", target.path, status)};
  co_return ProbeResult{true, {}};
}

}  // namespace levee::health
