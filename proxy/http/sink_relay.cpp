#include "proxy/http/sink_relay.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

namespace levee::http {
namespace bh = boost::beast::http;

Awaitable<SinkRelayResult> relay_to_sink(MaybeTlsStream& upstream, boost::beast::flat_buffer& upstream_buffer,
                                         ResponseParser& parser, ResponseSink& sink, std::span<char> buffer,
                                         std::chrono::nanoseconds read_timeout, std::uint64_t& bytes) {
  SinkRelayResult result;
  auto& response = parser.get();
  if (!co_await sink.write_head(response.base(), parser.is_done())) {
    result.client_gone = true;
    co_return result;
  }
  auto& body = response.body();
  while (!parser.is_done()) {
    body.data = buffer.data();
    body.size = buffer.size();
    upstream.expires_after(read_timeout);
    auto [ec, n] = co_await bh::async_read(upstream, upstream_buffer, parser,
                                           boost::asio::as_tuple(boost::asio::deferred));
    if (ec && ec != bh::error::need_buffer) {
      result.upstream_error = ec;
      co_return result;
    }
    const std::size_t got = buffer.size() - body.size;
    bytes += got;
    // A read may have taken only chunk framing: nothing to pass on yet.
    if (got == 0 && !parser.is_done()) continue;
    if (!co_await sink.write_body(std::string_view(buffer.data(), got), parser.is_done())) {
      result.client_gone = true;
      co_return result;
    }
  }
  body.data = nullptr;
  body.size = 0;
  co_return result;
}

}  // namespace levee::http
