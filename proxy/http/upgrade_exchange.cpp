#include "proxy/http/upgrade_exchange.h"

#include "proxy/http/header_hygiene.h"

#include <boost/beast/http/field.hpp>

#include <string>

namespace levee::http {
namespace bh = boost::beast::http;

boost::asio::awaitable<UpgradeForward> forward_upgrade(Downstream& down, RequestParser& request,
                                                       std::string_view protocols, UpstreamPool& pool,
                                                       const policy::Clock& clock,
                                                       std::uint64_t response_buffer_limit) {
  UpgradeForward out;
  auto& header = request.get();
  header.set(bh::field::upgrade, protocols);
  header.set(bh::field::connection, "Upgrade");
  SendOptions options;
  options.fresh_connection = true;
  UpstreamAttempt attempt;
  out.forwarded.attempts = 1;
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
      out.forwarded.buffered.emplace(std::move(response.base()));
      out.upstream = std::move(attempt.connection);
      attempt.response.reset();
    }
  }
  out.forwarded.result = attempt.result;
  if (attempt.buffered) out.forwarded.buffered = std::move(attempt.buffered);
  co_return out;
}

}  // namespace levee::http
