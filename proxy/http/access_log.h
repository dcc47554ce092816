#pragma once
// The access log as the running config holds it: where lines go and in which format.
//
// A logger, once opened, never changes: SIGUSR1 (reopen after logrotate moved the file) and a
// reload that changes logging.access_log open a new AccessLog and publish it in a new
// ProxyRuntime, as any reload does. A request writes to the one its runtime holds, so the
// swap needs no lock on the request path, and the old file closes when the last request that
// held it is done. Thread safety: write() may be called from any thread (the logger is
// asynchronous: it never waits for the disk on an I/O thread).

#include "proxy/config/config.h"
#include "proxy/http/request_record.h"

#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace levee::http {

class AccessLog {
 public:
  AccessLog(std::shared_ptr<spdlog::logger> logger, std::string destination, config::AccessLogFormat format);
  ~AccessLog();

  void write(const RequestRecord& record, policy::Duration duration, std::string_view client_address) const;

  const std::string& destination() const { return destination_; }  // "-" for stdout, else a path
  config::AccessLogFormat format() const { return format_; }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  std::string destination_;
  config::AccessLogFormat format_;
};

struct OpenedAccessLog {
  std::shared_ptr<const AccessLog> log;  // null when the log is off (or could not be opened)
  std::string error;                     // why it could not be opened; empty on success
};

// Opens (creates or appends to) logging.access_log in its format, writing on `threads`. Reads
// the file system: call it on the control thread, never on a worker.
OpenedAccessLog open_access_log(const config::LoggingConfig& logging,
                                const std::shared_ptr<spdlog::details::thread_pool>& threads);

}  // namespace levee::http
