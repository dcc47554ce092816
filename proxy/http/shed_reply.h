#pragma once
// What a shed caller gets: an immediate answer that never touches the service.
//
// - Status 429 (or the configured 503) and `Retry-After` in whole seconds: the group's
//   suggested wait (its queue drain time) stretched by a random 0-50%, so callers shed in the
//   same instant come back spread out instead of as one new wave.
// - `levee-shed: <reason>` (the same word as the metric label) and `levee-overloaded: true`,
//   which tells cooperating clients and other levee sidecars not to retry into the fire.
// - A body chosen by Accept: the sorry page for browsers, RFC 9457 problem+json otherwise.
// Pure functions: the session writes the LocalReply.

#include <chrono>
#include <string>
#include <string_view>

#include "proxy/http/local_reply.h"
#include "proxy/policy/random.h"
#include "proxy/policy/shed_reason.h"

namespace levee::http {

inline constexpr std::string_view shed_reason_header = "levee-shed";
inline constexpr std::string_view overloaded_header = "levee-overloaded";

// True when the caller is a browser asking for a page (Accept lists text/html).
bool prefers_html(std::string_view accept);

std::chrono::seconds jittered_retry_after(policy::Duration suggested, policy::Random& random);

struct ShedReplyStyle {
  unsigned status = 429;          // 429 or 503
  std::string_view sorry_html;    // empty: a built-in one-line page
};

LocalReply make_shed_reply(policy::ShedReason reason, std::chrono::seconds retry_after, bool html,
                           const ShedReplyStyle& style, bool close_connection);

}  // namespace levee::http
