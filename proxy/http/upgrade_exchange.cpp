#include "proxy/http/upgrade_exchange.h"

#include "proxy/http/header_hygiene.h"

#include <boost/beast/http/field.hpp>

#include <string>

namespace levee::http {
namespace bh = boost::beast::http;

Awaitable<std::unique_ptr<UpstreamConnection>> forward_upgrade(
    Downstream& down, RequestParser& request, std::string_view protocols, UpstreamPool& pool,
    const policy::Clock& clock, std::uint64_t response_buffer_limit, ForwardResult& forwarded) {
  std::unique_ptr<UpstreamConnection> tunnel_upstream;
  auto& header = request.get();
  header.set(bh::field::upgrade, protocols);
  header.set(bh::field::connection, "Upgrade");
  SendOptions options;
  options.fresh_connection = true;
  UpstreamAttempt attempt;
  forwarded.attempts = 1;
  co_await send_request(down, request, pool, clock, options, attempt);
  ExchangeResult& result = attempt.result;
  if (result.error == ExchangeError::none) {
    attempt.connection->retire();
    auto& response = attempt.response->get();
    if (response.result_int() != 101) {
      co_await relay_response(down, request, pool, clock, response_buffer_limit, attempt);
    } else if (const std::string agreed(response[bh::field::upgrade]); agreed.empty()) {
      // 101 without saying to what: nothing the client could speak on it.
      result.error = ExchangeError::upstream_protocol;
      attempt.abandon();
    } else {
      prepare_downstream_response(response);
      response.version(11);
      response.set(bh::field::upgrade, agreed);
      response.set(bh::field::connection, "Upgrade");
      result.status = 101;
      result.keep_alive = false;
      forwarded.buffered.emplace(std::move(response.base()));
      tunnel_upstream = std::move(attempt.connection);
      attempt.response.reset();
    }
  }
  forwarded.result = attempt.result;
  if (attempt.buffered) forwarded.buffered = std::move(attempt.buffered);
  co_return tunnel_upstream;
}

}  // namespace levee::http
