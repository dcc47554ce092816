#pragma once
// Which config changes a running levee can take without a restart.
//
// A reload swaps in new thresholds, queue and retry settings, shed answers, request headers,
// route priorities and timeouts, the log level, and the access log's destination and format
// (the server opens the new one first and refuses the reload if it cannot), and the listener's
// TLS certificate, key and settings (files re-read on every reload; new handshakes use them,
// open connections keep theirs), without touching a connection. Changing
// where levee listens, its workers, or the set of upstreams and routes needs a restart (the
// listeners, upstream pools and per-route metrics are built once); such a reload is refused
// and the running config stays.

#include <optional>
#include <string>

#include "proxy/config/config.h"

namespace levee {

// The first section whose change needs a restart, or none when `next` can be applied live.
std::optional<std::string> restart_required(const config::Config& running, const config::Config& next);

}  // namespace levee
