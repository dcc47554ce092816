#include "proxy/http/request_record.h"

#include "proxy/http/access_log.h"

namespace levee::http {

void finish_request(const RequestRecord& record, policy::TimePoint finished, std::string_view client_address,
                    const observability::RouteMetrics& metrics, std::size_t worker, const AccessLog* access_log) {
  metrics.record(worker, record.status, std::chrono::duration<double>(finished - record.started).count());
  if (access_log) access_log->write(record, finished - record.started, client_address);
}

}  // namespace levee::http
