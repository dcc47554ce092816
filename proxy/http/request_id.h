#pragma once
// The id that ties one request's lines together across levee's access log and the service's
// own logs. A caller (or a proxy in front of levee) that already chose one keeps it; anything
// else gets a fresh one. Pure: randomness comes in as a policy::Random.

#include "proxy/policy/random.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace levee::http {

inline constexpr std::string_view request_id_header = "X-Request-Id";
// Long enough for any id scheme in use (UUIDs, W3C trace ids, AWS's Root=...), short enough that
// a client cannot grow every log line and upstream header by kilobytes.
inline constexpr std::size_t max_request_id_bytes = 128;

// Non-empty, at most max_request_id_bytes, and only visible ASCII (0x21-0x7E): no spaces, so the
// text access log stays split on spaces, and no control bytes or UTF-8 to escape anywhere.
bool is_sane_request_id(std::string_view id);

// 128 random bits as 32 lowercase hex digits.
std::string generate_request_id(policy::Random& random);

// `incoming` when it is sane, else a generated id.
std::string choose_request_id(std::string_view incoming, policy::Random& random);

}  // namespace levee::http
