#include "proxy/http/retrying_forwarder.h"

#include "proxy/observability/retry_metrics.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

namespace levee::http {
namespace asio = boost::asio;
namespace bh = boost::beast::http;
using policy::RetryOn;
using policy::RetryOutcome;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::deferred);

// The retry_on kind a failed first half falls under; none when no retry could help or repeat
// it safely (the service already answered something).
std::optional<RetryOn> failure_kind(const ExchangeResult& result) {
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

Awaitable<void> back_off(std::uint32_t retry_number, const policy::RetrySettings& settings, policy::Random& random) {
  const auto delay = random.jitter(policy::backoff_ceiling(settings, retry_number));
  if (delay <= policy::Duration::zero()) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(use_tuple);
}

}  // namespace

Awaitable<void> forward(Downstream& down, RequestParser& request, AddedFields& added,
                        const std::string* buffered_body, UpstreamPool& pool, const policy::Clock& clock,
                        const RetryContext& retry, std::uint64_t response_buffer_limit, ForwardResult& out) {
  const policy::RetrySettings& settings = retry.settings;
  const auto& header = request.get();
  policy::Replay replay;
  replay.safe = policy::is_idempotent_method(header.method_string()) ||
                (!retry.idempotency_key.empty() && header.find(retry.idempotency_key) != header.end());
  SendOptions options;
  options.safe_to_resend = replay.safe;
  options.added = &added;
  UpstreamAttempt attempt;
  const auto count_attempt = [&] {
    ++out.attempts;
    if (retry.metrics) retry.metrics->count_attempt(retry.route, out.attempts);
  };

  const bool retries = settings.attempts > 1 && retry.allowance;
  std::string body_bytes;
  if (buffered_body) {
    // Already in memory (read before admission); the route's own bound on replayed bodies
    // still decides whether it may go twice.
    options.buffered_body = buffered_body;
    replay.replayable = buffered_body->size() <= settings.max_buffered_body;
  }
  std::optional<CapSlot> slot;
  std::optional<RetryOutcome> verdict;
  if (retries) {
    retry.allowance->budget.on_request(clock.now());
    slot.emplace(retry.allowance->cap);
    options.header_timeout = settings.per_try_timeout;
    // Only a body complete in memory can be sent twice; reading one is worth it only when a
    // retry would be allowed at all.
    if (replay.safe && !buffered_body) {
      if (request.is_done()) {
        replay.replayable = true;
      } else if (!request.chunked() && request.content_length() &&
                 *request.content_length() <= settings.max_buffered_body) {
        const ExchangeError error = co_await read_request_body(down, request, body_bytes, *request.content_length());
        if (error != ExchangeError::none) {
          out.result.error = error;
          out.result.request_body_bytes = body_bytes.size();
          co_return;
        }
        options.buffered_body = &body_bytes;
        replay.replayable = true;
      }
    }
  }
  // After an attempt failed in a way the route retries on: true when another goes, with its
  // budget token spent and a cap slot held; else records why not.
  const auto grant_retry = [&]() -> bool {
    if (!retries) return false;
    slot->release();  // the attempt that just failed no longer counts as a retry in flight
    verdict = policy::retry_refusal(settings, replay, out.attempts);
    if (verdict) return false;
    if (slot->try_take() && retry.allowance->budget.try_spend(clock.now())) return true;
    slot->release();
    verdict = RetryOutcome::budget_denied;
    return false;
  };

  for (;;) {
    if (out.attempts > 0) co_await back_off(out.attempts, settings, retry.random);
    count_attempt();
    co_await send_request(down, request, pool, clock, options, attempt);
    if (attempt.result.error != ExchangeError::none) {
      const auto kind = failure_kind(attempt.result);
      if (kind && settings.retries_on(*kind) && grant_retry()) continue;
      break;
    }
    const unsigned status = attempt.status();
    const auto& answer = attempt.response->get();
    const bool retry_after = policy::overload_signal_reads_retry_after(status) &&
                             answer.find(bh::field::retry_after) != answer.end();
    if (policy::is_overload_signal(status, retry_after)) {
      if (retries) verdict = RetryOutcome::overload_signal;
    } else if (settings.retries_status(status) && grant_retry()) {
      // Closing is cheaper than reading a body nobody wants, and leaves no half-read connection.
      attempt.abandon();
      continue;
    }
    co_await relay_response(down, request, pool, clock, response_buffer_limit, attempt);
    break;
  }
  if (slot) slot->release();
  out.result = attempt.result;
  out.buffered = std::move(attempt.buffered);

  if (verdict) out.outcome = verdict;
  else if (out.attempts > 1) out.outcome = out.result.error == ExchangeError::none ? RetryOutcome::succeeded
                                                                                 : RetryOutcome::exhausted;
  if (out.outcome && retry.metrics) retry.metrics->count_outcome(retry.route, static_cast<std::size_t>(*out.outcome));
  co_return;
}

}  // namespace levee::http
