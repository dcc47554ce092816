#include "proxy/http/access_log.h"

#include "proxy/http/access_log_line.h"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace levee::http {

AccessLog::AccessLog(std::shared_ptr<spdlog::logger> logger, std::string destination, config::AccessLogFormat format)
    : logger_(std::move(logger)), destination_(std::move(destination)), format_(format) {}

AccessLog::~AccessLog() = default;

void AccessLog::write(const RequestRecord& record, policy::Duration duration, std::string_view client_address) const {
  const std::string line = access_log_line(record, duration, client_address, format_);
  logger_->info("{}", access_log_message(line, format_));
}

OpenedAccessLog open_access_log(const config::LoggingConfig& logging,
                                const std::shared_ptr<spdlog::details::thread_pool>& threads) {
  if (logging.access_log.empty()) return {};
  spdlog::sink_ptr sink;
  try {
    if (logging.access_log == "-") sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    else sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(logging.access_log);
  } catch (const std::exception& e) {
    return {nullptr, e.what()};
  }
  // overrun_oldest: a full queue drops old lines rather than make a worker wait for the disk.
  auto logger =
      std::make_shared<spdlog::async_logger>("access", sink, threads, spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern(std::string(access_log_pattern(logging.access_log_format)));
  // Each line reaches the file when the log thread writes it (not when a stdio buffer fills):
  // `tail -f` and log shippers see it at once, and a rotated file is complete. The write is
  // on the log thread, never on a worker.
  logger->flush_on(spdlog::level::info);
  return {std::make_shared<const AccessLog>(std::move(logger), logging.access_log, logging.access_log_format), ""};
}

}  // namespace levee::http
