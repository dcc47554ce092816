#pragma once
// A request's way to the service and its answer back: one attempt (upstream_exchange.h), and
// more while the route's retry rules allow (proxy/policy/retry_rules.h). The rules decide from
// what each attempt's first half returned -- an error, or the response header -- before any
// byte goes to the client; a status-based retry abandons the unwanted answer (its connection
// is closed, its body unread). If no retry is possible after all, that answer is relayed as
// usual, so the client always gets the last real answer.
//
// Safe to send twice: an idempotent method or an idempotency-key header, and a body that is
// complete in memory -- none, or a Content-Length of at most max_buffered_body, read before
// the first attempt. A larger or chunked body is relayed as it arrives and cannot be replayed.

#include "proxy/http/upstream_exchange.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/random.h"
#include "proxy/policy/retry_rules.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace levee::observability {
class RetryMetrics;
}

namespace levee::http {

struct RetryContext {
  const policy::RetrySettings& settings;
  policy::RetryAllowance* allowance = nullptr;  // null: the route does not retry
  std::string_view idempotency_key;             // header name; empty = none
  policy::Random& random;
  const observability::RetryMetrics* metrics = nullptr;
  std::size_t route = 0;                        // index for the metrics
};

struct ForwardResult {
  ExchangeResult result;                        // of the last attempt
  // A response read whole (relay_response's buffering), still to be written to the client
  // with write_buffered_response once the permit is released.
  std::optional<BufferedResponse> buffered;
  std::uint32_t attempts = 0;                   // exchanges tried (0: failed before the first)
  std::optional<policy::RetryOutcome> outcome;  // none: no retry decision was needed
};

// `added`: the fields levee adds to the request (added_fields.h), sent with every attempt.
// `buffered_body`: the request body, already read whole (null: it is relayed, or read here
// when a retry needs it). `response_buffer_limit`: see relay_response. `out` starts
// default-constructed and is filled in here: the caller's, because Asio keeps a coroutine's
// result in the coroutine's frame, a second copy of something this large.
Awaitable<void> forward(Downstream& downstream, RequestParser& request, AddedFields& added,
                        const std::string* buffered_body, UpstreamPool& pool,
                        const policy::Clock& clock, const RetryContext& retry,
                        std::uint64_t response_buffer_limit, ForwardResult& out);

}  // namespace levee::http
