#include "proxy/http/access_log_line.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace levee::http {
namespace {

using Millis = std::chrono::duration<double, std::milli>;

// Milliseconds rounded to microseconds, as the text line prints them.
double rounded_ms(policy::Duration d) { return std::round(Millis(d).count() * 1000.0) / 1000.0; }

using Json = nlohmann::ordered_json;  // keeps the fields in the order written: the text line's

template <class Enum>
Json name_or_null(const std::optional<Enum>& value) {
  return value ? Json(std::string(name(*value))) : Json(nullptr);
}

std::string text_line(const RequestRecord& record, policy::Duration duration, std::string_view client_address) {
  return fmt::format("{} \"{}\" {} {} {} {:.3f}ms route={} queue={:.3f}ms shed={} error={} attempts={} retry={} "
                     "request_id={}",
                     client_address, record.request_line, record.status, record.request_body_bytes,
                     record.response_body_bytes, Millis(duration).count(), record.route,
                     Millis(record.queue_wait).count(), record.shed ? policy::name(*record.shed) : "-",
                     name(record.error), record.attempts, record.retry ? policy::name(*record.retry) : "-",
                     record.request_id.empty() ? std::string_view("-") : record.request_id.view());
}

std::string json_line(const RequestRecord& record, policy::Duration duration, std::string_view client_address) {
  const Json line = {
      {"client", std::string(client_address)},
      {"request", record.request_line},
      {"status", record.status},
      {"request_bytes", record.request_body_bytes},
      {"response_bytes", record.response_body_bytes},
      {"duration_ms", rounded_ms(duration)},
      {"route", record.route == "-" ? Json(nullptr) : Json(std::string(record.route))},
      {"queue_ms", rounded_ms(record.queue_wait)},
      {"shed", name_or_null(record.shed)},
      {"error", std::string(name(record.error))},
      {"attempts", record.attempts},
      {"retry", name_or_null(record.retry)},
      {"request_id", record.request_id.empty() ? Json(nullptr) : Json(record.request_id.view())},
  };
  // replace: a request line is client bytes and need not be UTF-8; throwing would lose the line.
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
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
