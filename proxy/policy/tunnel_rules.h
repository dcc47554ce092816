#pragma once
// The rules of an upgrade tunnel's life, as pure functions: which request becomes one, and when
// an open one is closed (idle, or drain). The I/O (proxy/http/tunnel.h) asks; nothing here
// reads a clock or a socket.

#include "proxy/policy/clock.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace levee::policy {

// What the request header says, reduced to what the rule needs.
struct UpgradeAsk {
  std::string_view method;      // "GET"
  unsigned version = 11;        // 10 or 11
  bool has_body = false;        // Content-Length > 0 or Transfer-Encoding
  std::string_view connection;  // every Connection field line, joined with ", "
  std::string_view upgrade;     // the Upgrade field ("websocket", "websocket, foo/2")
};

// The protocol list to forward when `ask` is an upgrade the route allows: an HTTP/1.1 GET
// without a body whose Connection lists "upgrade", and whose Upgrade names only protocols in
// `allowed` (case-insensitive, a "/version" suffix ignored): the service may pick any protocol
// offered, so each must be one levee may relay. Anything else: none, and the request is an
// ordinary one (its Upgrade stripped, as every hop-by-hop header is).
std::optional<std::string> allowed_upgrade(const UpgradeAsk& ask, const std::vector<std::string>& allowed);

// When an open tunnel is to be closed: `idle_timeout` after its last byte either way, or at
// the drain's close time if one was set, whichever comes first.
struct TunnelTimes {
  TimePoint last_activity;
  Duration idle_timeout;
  std::optional<TimePoint> drain_close_at;
};
TimePoint tunnel_close_at(const TunnelTimes& times);

// A drain that began at `now` closes tunnels after `grace`, never later than the drain's own
// timeout (past it levee exits anyway, and closing first lets both peers see a clean FIN).
TimePoint drain_close_at(TimePoint now, Duration grace, Duration drain_timeout);

}  // namespace levee::policy
