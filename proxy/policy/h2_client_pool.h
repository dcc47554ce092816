#pragma once
// Which HTTP/2 connection to a service carries the next request (gRPC and other HTTP/2-only
// routes): the rules of the pool, as pure code. The I/O side owns the connections
// (h2::ClientConnection on sockets) and tells the pool what each can take; the pool answers
// "use this one", "open a new one", or "wait", and names the connections to close.
//
// - A request goes to a usable connection with a free stream slot, the one with the fewest
//   open streams (requests spread over the connections, so one slow TCP path holds fewer).
// - A new connection is opened only when every usable connection is full (the service's
//   SETTINGS_MAX_CONCURRENT_STREAMS, or levee's cap), up to max_connections, and not while
//   another is still connecting (its slots are on the way: a burst opens one, not fifty).
// - A connection that received GOAWAY (or failed) takes no new stream; it is closed once its
//   open streams finish. An idle one is closed after idle_timeout, while more than keep_open
//   usable connections remain.

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "proxy/policy/clock.h"

namespace levee::policy {

struct H2ClientPoolSettings {
  // Connections to one service at most (connecting ones included). With 100 streams each,
  // 4 carry 400 concurrent calls; the admission limit in front keeps far fewer in flight.
  std::size_t max_connections = 4;
  // A connection with no stream for this long is closed, down to keep_open connections: one
  // stays open however idle, so the next call does not pay for a TCP (and TLS) handshake.
  Duration idle_timeout = std::chrono::seconds(60);
  std::size_t keep_open = 1;
};

using H2ConnectionId = std::uint64_t;

// What a connection can take now, from ClientConnection's is_usable(), available_streams(),
// open_streams() and last_activity().
struct H2ConnectionState {
  bool usable = true;
  std::size_t available_streams = 0;
  std::size_t open_streams = 0;
  TimePoint last_activity{};
};

struct H2PoolChoice {
  enum class Kind : std::uint8_t {
    use,       // submit the request on `connection`
    open_new,  // start a connection (add_connecting), then wait for it
    wait,      // every connection is full or one is connecting: wait for a slot (bounded by
               // the caller's queue timeout)
  };
  Kind kind = Kind::wait;
  H2ConnectionId connection = 0;
};

class H2ClientPool {
 public:
  explicit H2ClientPool(const H2ClientPoolSettings& settings) : settings_(settings) {}

  H2PoolChoice choose() const;

  // The caller started a connection: it counts against max_connections while it connects.
  H2ConnectionId add_connecting();
  // What a connection can take, after every change (connected, a stream opened or closed,
  // SETTINGS or GOAWAY received).
  void update(H2ConnectionId id, const H2ConnectionState& state);
  // A stream was opened on the connection: one slot fewer until the next update.
  void on_stream_opened(H2ConnectionId id, TimePoint now);
  // The connection is gone (closed, or failed to connect).
  void remove(H2ConnectionId id);

  // Connections to close now: unusable ones with no open stream, and idle ones past
  // idle_timeout beyond keep_open (the longest idle first).
  std::vector<H2ConnectionId> to_close(TimePoint now) const;

  std::size_t connections() const { return connections_.size(); }
  std::size_t connecting() const;

 private:
  struct Entry {
    bool connecting = true;
    H2ConnectionState state;
  };

  H2ClientPoolSettings settings_;
  std::map<H2ConnectionId, Entry> connections_;  // ordered: ties go to the oldest connection
  H2ConnectionId next_id_ = 1;
};

}  // namespace levee::policy
