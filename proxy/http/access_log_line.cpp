#include "proxy/http/access_log_line.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace levee::http {
namespace {

using Millis = std::chrono::duration<double, std::milli>;

// Milliseconds rounded to microseconds, as the text line prints them.
double rounded_ms(policy::Duration d) { return std::round(Millis(d).count() * 1000.0) / 1000.0; }

template <class Enum>
nlohmann::json name_or_null(const std::optional<Enum>& value) {
  return value ? nlohmann::json(std::string(name(*value))) : nlohmann::json(nullptr);
}

std::string text_line(const RequestRecord& record, policy::Duration duration, std::string_view client_address) {
  return fmt::format("{} \"{}\" {} {} {} {:.3f}ms route={} queue={:.3f}ms shed={} error={} attempts={} retry={} "
                     "request_id={}",
                     client_address, record.request_line, record.status, record.request_body_bytes,
                     record.response_body_bytes, Millis(duration).count(), record.route,
                     Millis(record.queue_wait).count(), record.shed ? policy::name(*record.shed) : "-",
                     name(record.error), record.attempts, record.retry ? policy::name(*record.retry) : "-",
                     record.request_id.empty() ? std::string_view("-") : std::string_view(record.request_id));
}

std::string json_line(const RequestRecord& record, policy::Duration duration, std::string_view client_address) {
  // nlohmann::ordered_json keeps the fields in this order: the same order as the text line.
  const nlohmann::ordered_json line = {
      {"client", client_address},
      {"request", record.request_line},
      {"status", record.status},
      {"request_bytes", record.request_body_bytes},
      {"response_bytes", record.response_body_bytes},
      {"duration_ms", rounded_ms(duration)},
      {"route", record.route == "-" ? nlohmann::json(nullptr) : nlohmann::json(record.route)},
      {"queue_ms", rounded_ms(record.queue_wait)},
      {"shed", name_or_null(record.shed)},
      {"error", name(record.error)},
      {"attempts", record.attempts},
      {"retry", name_or_null(record.retry)},
      {"request_id", record.request_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(record.request_id)},
  };
  // replace: a request line is client bytes and need not be UTF-8; throwing would lose the line.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string access_log_line(const RequestRecord& record, policy::Duration duration, std::string_view client_address,
                            config::AccessLogFormat format) {
  return format == config::AccessLogFormat::json ? json_line(record, duration, client_address)
                                                 : text_line(record, duration, client_address);
}

std::string_view access_log_pattern(config::AccessLogFormat format) {
  return format == config::AccessLogFormat::json ? R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z",%v)"
                                                 : "%Y-%m-%dT%H:%M:%S.%e %v";
}

std::string_view access_log_message(std::string_view line, config::AccessLogFormat format) {
  if (format == config::AccessLogFormat::json && !line.empty() && line.front() == '{') line.remove_prefix(1);
  return line;
}

}  // namespace levee::http
