#pragma once
// Upgrade tunnels (WebSocket and other HTTP/1.1 `101 Switching Protocols` connections), counted
// apart from the admission limit. A tunnel may stay open for hours while it costs the service
// next to nothing between messages: holding a concurrency permit for its whole life would let
// a few hundred idle WebSockets shut out every HTTP request. So the upgrade request is admitted
// like any request, its permit is released once the service answers 101, and from then on the
// tunnel counts here, against its own optional cap (tunnels.max).
//
// The cap is taken before the upgrade request goes anywhere (reserve), so the limit holds even
// while handshakes are in progress: reserved and established places count alike. The per-route
// counts are of established tunnels only (what /state and levee_tunnels_open show).
//
// Thread safety: every method may be called from any thread; atomics only, no lock (a
// compare-and-swap on the total, so concurrent reservations never overshoot the cap).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace levee::policy {

// How one upgrade request ended, as far as tunnels go. One enum, one list, one name(): the
// label of levee_tunnels_total{result}.
enum class TunnelResult : std::uint8_t {
  established,  // the service answered 101: bytes are relayed both ways
  over_cap,     // tunnels.max open already: 503 at the upgrade request
  shed,         // admission shed the upgrade request, like any other request
  declined,     // the service answered something else than 101, relayed as a normal answer
  failed,       // no usable answer (connect failure, reset, timeout, client gone)
};

inline constexpr std::array all_tunnel_results{TunnelResult::established, TunnelResult::over_cap,
                                               TunnelResult::shed, TunnelResult::declined, TunnelResult::failed};

constexpr std::string_view name(TunnelResult result) {
  switch (result) {
    case TunnelResult::established: return "established";
    case TunnelResult::over_cap: return "over_cap";
    case TunnelResult::shed: return "shed";
    case TunnelResult::declined: return "declined";
    case TunnelResult::failed: return "failed";
  }
  return "unknown";
}

constexpr std::size_t index(TunnelResult result) { return static_cast<std::size_t>(result); }

class TunnelLedger {
 public:
  // `routes`: how many routes there are (route indexes are stable across reloads).
  explicit TunnelLedger(std::size_t routes);

  // Before an upgrade request is admitted or sent. True: one place is taken and the caller owes
  // exactly one establish()+close() or one cancel() for it. False: `max` places are taken
  // (reserved or established) already; nothing was counted. `max` 0: no cap.
  bool try_reserve(std::uint64_t max);
  // The service answered 101 on `route`: the reserved place becomes an open tunnel.
  void establish(std::size_t route);
  // A reserved place that did not become a tunnel (shed, refused, failed).
  void cancel();
  // An established tunnel on `route` ended.
  void close(std::size_t route);

  std::uint64_t taken() const { return taken_.load(std::memory_order_relaxed); }  // reserved + open
  std::uint64_t open(std::size_t route) const;
  std::uint64_t open_total() const;
  std::size_t routes() const { return routes_; }

 private:
  std::size_t routes_;
  std::atomic<std::uint64_t> taken_{0};
  std::unique_ptr<std::atomic<std::uint64_t>[]> open_;  // by route index
};

}  // namespace levee::policy
