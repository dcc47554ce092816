#include "proxy/http/request_record.h"

#include <spdlog/spdlog.h>

namespace levee::http {

void finish_request(const RequestRecord& record, policy::TimePoint finished, std::string_view client_address,
                    const observability::RouteMetrics& metrics, spdlog::logger* access_log) {
  metrics.record(record.status, std::chrono::duration<double>(finished - record.started).count());
  if (!access_log) return;
  using Millis = std::chrono::duration<double, std::milli>;
  access_log->info("{} \"{}\" {} {} {} {:.3f}ms route={} queue={:.3f}ms shed={} error={} attempts={} retry={}",
                   client_address, record.request_line, record.status, record.request_body_bytes,
                   record.response_body_bytes, Millis(finished - record.started).count(), record.route,
                   Millis(record.queue_wait).count(), record.shed ? policy::name(*record.shed) : "-",
                   name(record.error), record.attempts, record.retry ? policy::name(*record.retry) : "-");
}

}  // namespace levee::http
