#pragma once
// The text of one access-log line, in either format. Pure: the caller hands in what happened
// and how long it took; the timestamp is added by the logger (access_log_pattern), which
// stamps the moment the line is logged, so proxy/http needs no wall clock.

#include "proxy/config/config.h"
#include "proxy/http/request_record.h"

#include <string>
#include <string_view>

namespace levee::http {

// text: `client "request line" status request_bytes response_bytes duration route= queue= shed=
//        error= attempts= retry= request_id=` (request_id is last so older parsers still match).
// json: one object on one line; absent values (no route, no shed, no retry decision) are null.
//       Every string is escaped by nlohmann-json and invalid UTF-8 replaced (U+FFFD), so a
//       hostile request line cannot break the line or the JSON. The object starts with "time"
//       only once the logger adds it: see access_log_pattern.
std::string access_log_line(const RequestRecord& record, policy::Duration duration, std::string_view client_address,
                            config::AccessLogFormat format);

// The spdlog pattern that puts the timestamp in front of access_log_line's text. For json it
// opens the object with a "time" member and takes the line's own members after it (the line
// starts with '{', which the pattern supplies).
std::string_view access_log_pattern(config::AccessLogFormat format);

// What the logger is handed for `line` under access_log_pattern: the json line without its '{'.
std::string_view access_log_message(std::string_view line, config::AccessLogFormat format);

}  // namespace levee::http
