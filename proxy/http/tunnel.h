#pragma once
// An established upgrade tunnel (WebSocket): after the 101, bytes are relayed both ways between
// the client connection and its own upstream connection, unparsed, until both sides are done.
//
// - Two relays, one per direction, each with one fixed buffer: a read, then its write, then
//   the next read, so a slow reader on one side stops the reads on the other (bounded memory).
//   Bytes already read past either header (a client that sent its first frame with the
//   handshake, a service that sent one with its 101) go first.
// - Half-close: end-of-stream from one side is passed on as a FIN to the other (shutdown of
//   sending), and the other direction goes on; the tunnel ends when both are done. An error
//   on either side (reset) ends both at once. A TLS side cannot be half-closed (a
//   close_notify would need a read of its own while the relay reads): the other side's
//   end-of-stream ends both directions there.
// - A watchdog closes both sides when policy::tunnel_close_at says: tunnels.idle_timeout
//   after the last byte either way, or the drain's close time (drain()).
// Thread safety: none needed; everything runs on the client session's worker thread (drain()
// is posted there by the server).

#include "proxy/http/maybe_tls_stream.h"
#include "proxy/http/tunnel_place.h"
#include "proxy/http/upstream_pool.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/clock.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <cstdint>
#include <memory>
#include <optional>

namespace levee::http {

// What the pipeline hands the session after a 101 went to the client.
struct EstablishedTunnel {
  std::unique_ptr<UpstreamConnection> upstream;
  TunnelPlace place;  // established: counted open until the tunnel object is gone
};

class Tunnel : public std::enable_shared_from_this<Tunnel> {
 public:
  // `client` and `client_pending` belong to the session, which outlives run().
  Tunnel(MaybeTlsStream& client, boost::beast::flat_buffer& client_pending,
         EstablishedTunnel established, const policy::Clock& clock, policy::Duration idle_timeout);

  // Relays until both directions are done, or the watchdog closed them; both sockets are
  // closed when it returns.
  Awaitable<void> run();
  // Close both sides at `close_at` (policy::drain_close_at), or at once if that has passed.
  void drain(policy::TimePoint close_at);

  std::uint64_t bytes_to_service() const { return bytes_up_; }
  std::uint64_t bytes_to_client() const { return bytes_down_; }

 private:
  template <class From, class To>
  Awaitable<void> relay(From& from, To& to, boost::beast::flat_buffer& pending, std::uint64_t& bytes);
  // End-of-stream from the other side reached `to`: passes it on (false: `to` cannot take a
  // half-close, and the tunnel ends).
  static bool pass_end_of_stream(MaybeTlsStream& to);
  Awaitable<void> watchdog();
  // Both sides see a FIN and both relays end (a pending read returns end-of-stream).
  void shut_both();

  MaybeTlsStream& client_;
  boost::beast::flat_buffer& client_pending_;
  EstablishedTunnel established_;
  const policy::Clock& clock_;
  policy::Duration idle_timeout_;
  policy::TimePoint last_activity_;
  std::optional<policy::TimePoint> drain_close_at_;
  boost::asio::steady_timer timer_;
  std::uint64_t bytes_up_ = 0;
  std::uint64_t bytes_down_ = 0;
  bool finished_ = false;
};

}  // namespace levee::http
