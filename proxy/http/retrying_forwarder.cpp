#include "proxy/http/retrying_forwarder.h"

#include "proxy/observability/retry_metrics.h"
#include "proxy/policy/ascii.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>

namespace levee::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using asio::awaitable;
using config::RetryOn;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool is_idempotent(bh::verb method) {
  switch (method) {
    case bh::verb::get:
    case bh::verb::head:
    case bh::verb::options:
    case bh::verb::put:
    case bh::verb::delete_:
    case bh::verb::trace:
      return true;
    default:
      return false;
  }
}

template <class T>
bool contains(const std::vector<T>& items, const T& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// The retry_on kind a failed exchange falls under; none when no retry could help or repeat
// it safely (the client already has bytes, or the service answered something).
std::optional<RetryOn> retry_kind(const ExchangeResult& result) {
  if (result.response_started || result.response_bytes_seen) return std::nullopt;
  switch (result.error) {
    case ExchangeError::connect_refused:
    case ExchangeError::connect_timeout:
      return RetryOn::connect_failure;
    case ExchangeError::upstream_reset:
      return RetryOn::reset;
    case ExchangeError::upstream_timeout:
      return RetryOn::timeout;
    default:
      return std::nullopt;
  }
}

// The service asks callers to back off: retrying would add exactly the load it refuses.
bool is_overload_signal(const ResponseHeader& header) {
  const unsigned status = header.result_int();
  return status == 429 || (status == 503 && header.find(bh::field::retry_after) != header.end());
}

// One ConcurrencyCap slot, held from a retry's back-off to the end of its attempt; released
// on every path out of the coroutine, including its destruction mid-wait.
class CapSlot {
 public:
  explicit CapSlot(policy::ConcurrencyCap& cap) : cap_(cap) {}
  CapSlot(const CapSlot&) = delete;
  CapSlot& operator=(const CapSlot&) = delete;
  ~CapSlot() { release(); }
  bool try_take() {
    release();
    held_ = cap_.try_acquire();
    return held_;
  }
  void release() {
    if (held_) cap_.release();
    held_ = false;
  }

 private:
  policy::ConcurrencyCap& cap_;
  bool held_ = false;
};

// Reads a body of known, small length whole, so that every attempt can send it again.
awaitable<ExchangeError> read_whole_body(Downstream& down, RequestParser& parser, std::string& body_bytes,
                                         std::uint64_t length) {
  auto& request = parser.get();
  if (ascii_iequals(request[bh::field::expect], "100-continue")) {
    // The client holds its body until told; forward() would say so only after connecting,
    // but here the body is needed first.
    static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
    down.stream.expires_after(down.io_timeout);
    auto [ec, n] = co_await asio::async_write(down.stream, asio::buffer(continue_line), use_tuple);
    if (ec) co_return ExchangeError::client_gone;
  }
  body_bytes.resize(static_cast<std::size_t>(length));
  auto& body = request.body();
  std::size_t filled = 0;
  while (!parser.is_done()) {
    if (filled == body_bytes.size()) co_return ExchangeError::client_gone;  // cannot happen with a Content-Length
    body.data = body_bytes.data() + filled;
    body.size = body_bytes.size() - filled;
    down.stream.expires_after(down.io_timeout);
    auto [ec, n] = co_await bh::async_read(down.stream, down.buffer, parser, use_tuple);
    filled = body_bytes.size() - body.size;
    if (ec && ec != bh::error::need_buffer) {
      body_bytes.resize(filled);
      co_return ec == bh::error::body_limit ? ExchangeError::request_too_large : ExchangeError::client_gone;
    }
  }
  body_bytes.resize(filled);
  body.data = nullptr;
  body.size = 0;
  co_return ExchangeError::none;
}

// Full jitter before retry `retry_number` (1 = the first retry).
awaitable<void> back_off(std::uint32_t retry_number, const config::RetryConfig& config, policy::Random& random) {
  policy::Duration ceiling = config.backoff_base;
  for (std::uint32_t i = 1; i < retry_number && ceiling < config.backoff_max; ++i) ceiling *= 2;
  const auto delay = random.jitter(std::min(ceiling, config.backoff_max));
  if (delay <= policy::Duration::zero()) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(use_tuple);
}

}  // namespace

std::string_view name(RetryOutcome outcome) {
  switch (outcome) {
    case RetryOutcome::succeeded: return "succeeded";
    case RetryOutcome::exhausted: return "exhausted";
    case RetryOutcome::budget_denied: return "budget_denied";
    case RetryOutcome::not_retryable: return "not_retryable";
    case RetryOutcome::body_too_large: return "body_too_large";
    case RetryOutcome::overload_signal: return "overload_signal";
  }
  return "unknown";
}

awaitable<RetriedExchange> forward_with_retries(Downstream& down, RequestParser& request, UpstreamPool& pool,
                                                const ForwardingFacts& facts, const policy::Clock& clock,
                                                const RetryContext& retry) {
  RetriedExchange out;
  const auto count_attempt = [&] {
    ++out.attempts;
    if (retry.metrics) retry.metrics->count_attempt(retry.route, out.attempts);
  };
  const config::RetryConfig& config = retry.config;
  const auto& header = request.get();
  const bool safe = is_idempotent(header.method()) ||
                    (!retry.idempotency_key.empty() && header.find(retry.idempotency_key) != header.end());
  AttemptOptions options;
  options.safe_to_resend = safe;
  if (config.attempts <= 1 || !retry.state) {
    count_attempt();
    out.result = co_await forward(down, request, pool, facts, clock, options);
    co_return out;
  }

  RouteRetry& state = *retry.state;
  state.budget.on_request(clock.now());
  std::string body_bytes;
  // Only a body complete in memory can be sent twice; reading one is worth it only when a
  // retry would be allowed at all.
  bool replayable = false;
  if (safe) {
    if (request.is_done()) {
      replayable = true;
    } else if (!request.chunked() && request.content_length() && *request.content_length() <= config.max_buffered_body) {
      const ExchangeError error = co_await read_whole_body(down, request, body_bytes, *request.content_length());
      if (error != ExchangeError::none) {
        out.result.error = error;
        out.result.request_body_bytes = body_bytes.size();
        co_return out;
      }
      options.buffered_body = &body_bytes;
      replayable = true;
    }
  }
  options.header_timeout = config.per_try_timeout;

  CapSlot slot(state.cap);
  std::optional<RetryOutcome> verdict;
  std::uint32_t attempt = 1;
  // Called once an attempt failed in a way the route retries on: true when another attempt
  // goes, with its budget token spent and a cap slot held; else records why not.
  const auto grant_retry = [&]() -> bool {
    slot.release();  // the attempt that just failed no longer counts as a retry in flight
    if (!safe) verdict = RetryOutcome::not_retryable;
    else if (!replayable) verdict = RetryOutcome::body_too_large;
    else if (attempt >= config.attempts) verdict = RetryOutcome::exhausted;
    else if (!slot.try_take()) verdict = RetryOutcome::budget_denied;
    else if (!state.budget.try_spend(clock.now())) {
      slot.release();
      verdict = RetryOutcome::budget_denied;
    } else {
      return true;
    }
    return false;
  };
  const bool on_status = contains(config.retry_on, RetryOn::status);
  options.discard = [&](const ResponseHeader& response) {
    if (is_overload_signal(response)) {
      verdict = RetryOutcome::overload_signal;
      return false;
    }
    if (!on_status || !contains(config.statuses, response.result_int())) return false;
    return grant_retry();
  };

  for (;; ++attempt) {
    if (attempt > 1) co_await back_off(attempt - 1, config, retry.random);
    count_attempt();
    options.prepare_request = attempt == 1;
    out.result = co_await forward(down, request, pool, facts, clock, options);
    if (out.result.discarded) continue;  // grant_retry said yes already
    const auto kind = retry_kind(out.result);
    if (!kind || !contains(config.retry_on, *kind) || !grant_retry()) break;
  }
  slot.release();

  if (verdict) out.outcome = verdict;
  else if (out.attempts > 1) out.outcome = out.result.error == ExchangeError::none ? RetryOutcome::succeeded
                                                                                 : RetryOutcome::exhausted;
  if (out.outcome && retry.metrics) retry.metrics->count_outcome(retry.route, static_cast<std::size_t>(*out.outcome));
  co_return out;
}

}  // namespace levee::http
