#pragma once
// The grpc-timeout request field (the gRPC over HTTP/2 spec): the caller's deadline as a
// relative time, 1 to 8 ASCII digits and a unit (H hours, M minutes, S seconds, m millis,
// u micros, n nanos): "100m", "2S", "1H". levee reads it as it reads a configured deadline
// header (capped by the route's timeout), and writes what is left of it to the service.

#include <optional>
#include <string>
#include <string_view>

#include "proxy/policy/clock.h"

namespace levee::policy {

// The timeout, or nullopt when `value` is not one (no digits, more than 8, a sign, a space,
// a fraction, an unknown or lower-case unit where the spec says upper, or the other way
// round). The caller treats a malformed field as absent. A timeout past what Duration holds
// (99999999H is ~11,000 years) saturates at Duration::max().
std::optional<Duration> parse_grpc_timeout(std::string_view value);

// The field's value for a remaining time: the finest unit whose count fits 8 digits, rounded
// up (the service then never sees a shorter deadline than levee's, by less than one unit).
// Zero or less is "0n": the deadline has passed.
std::string format_grpc_timeout(Duration remaining);

}  // namespace levee::policy
