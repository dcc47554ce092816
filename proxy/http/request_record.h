#pragma once
// What happened to one request, gathered on its way through levee and written once at its
// end: the route's status and duration metrics, and the access log line when that is on.

#include "proxy/http/exchange_error.h"
#include "proxy/http/request_id.h"
#include "proxy/observability/metrics.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/retry_rules.h"
#include "proxy/policy/shed_reason.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace levee::http {

class AccessLog;

// nginx's "client closed request": logged and counted, never sent.
inline constexpr unsigned client_closed_status = 499;

struct RequestRecord {
  policy::TimePoint started{};
  std::string request_line;             // only built when the access log is on
  std::string_view route = "-";         // the route's name; "-" when none matched
  unsigned status = 0;                  // as answered (499: the client left first)
  policy::Duration queue_wait{};
  std::optional<policy::ShedReason> shed;
  ExchangeError error = ExchangeError::none;
  std::uint64_t request_body_bytes = 0;
  std::uint64_t response_body_bytes = 0;
  std::uint32_t attempts = 0;                  // exchanges with the service (0: none was tried)
  std::optional<policy::RetryOutcome> retry;   // why retrying stopped; none: no decision needed
  RequestId request_id;                        // as forwarded in X-Request-Id; empty: none read
};

// Counts the request in `metrics` (in worker `worker`'s shard: call on that worker's thread)
// and writes its access-log line (when `access_log` is set; the logger is asynchronous, so this
// never waits for the disk).
void finish_request(const RequestRecord& record, policy::TimePoint finished, std::string_view client_address,
                    const observability::RouteMetrics& metrics, std::size_t worker, const AccessLog* access_log);

}  // namespace levee::http
