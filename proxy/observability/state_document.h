#pragma once
// The admin `/state` document: what each admission group is doing now (mode, limit, queue,
// estimates) and what it has decided so far, as JSON for people and scripts. Rendered on the
// control thread from snapshots (policy::Snapshot), so the request path never pays for it.

#include "proxy/policy/snapshot.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace levee::observability {

struct GroupState {
  std::string name;
  policy::Snapshot snapshot;
};

// Upgrade tunnels (WebSocket) open now; they hold no admission permit, so no group shows them.
struct TunnelState {
  std::uint64_t max = 0;    // tunnels.max; 0: no cap
  std::uint64_t taken = 0;  // open + handshakes in progress, what the cap counts
  std::vector<std::pair<std::string, std::uint64_t>> open_by_route;
};

// TLS on the listener: whether it is on, and client handshakes so far by result
// (http::TlsHandshakeResult names, the labels of levee_tls_handshakes_total).
struct TlsState {
  bool enabled = false;
  std::string certificate_file;
  double certificate_expiry = 0;  // notAfter, seconds since the epoch
  std::vector<std::pair<std::string, std::uint64_t>> handshakes;
};

// HTTP/2 on the listener: whether it is on, and the counts behind levee_h2_*_total.
struct Http2State {
  bool enabled = false;
  bool h2c = false;
  std::uint64_t connections = 0;
  std::uint64_t streams = 0;
  std::vector<std::pair<std::string, std::uint64_t>> abuse;  // connections closed, by rule
};

std::string render_state(const std::vector<GroupState>& groups, const TunnelState& tunnels = {},
                         const TlsState& tls = {}, const Http2State& http2 = {});

}  // namespace levee::observability
