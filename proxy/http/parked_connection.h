#pragma once
// An idle HTTP/1.1 keep-alive client connection without a session: the socket, its
// ConnectionSlot, a timer for its idle deadline and one readiness wait with a plain handler.
//
// Why: an idle ClientSession still holds its coroutine frames (the serve loop's and the wait's),
// Beast's stream state with its three timers, the session object and a pending timer from its
// last write: about 4 KiB per connection, against HAProxy's 1.1 KiB (issue 14). A session that
// waited a whole maintenance tick for its next request hands its socket here and ends
// (ClientSession::on_maintenance_tick); a busy keep-alive connection is never idle that long
// and never pays for the hand-over.
//
// When the socket turns readable (bytes, or the client's close), a new ClientSession takes the
// socket and reads at once, as the next request of a kept-alive connection (not a first one:
// no TLS, no h2c detection, idle_timeout already used up to here). At the idle deadline the
// session would have had, or on drain, the connection is closed silently, as the session's own
// idle wait does. Plain TCP only: a TLS connection's state is its SSL object, which stays in
// its session.
//
// Owned by its pending readiness wait (shared_ptr); Worker::parked lists it for drain. Touched
// only on its worker's thread.

#include "proxy/http/connection_slot.h"
#include "proxy/http/proxy_state.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>

namespace levee::http {

class ParkedConnection : public std::enable_shared_from_this<ParkedConnection> {
 public:
  using IdleDeadline = std::chrono::steady_clock::time_point;

  // Parks `socket` (plain TCP, nothing of the next request read yet) until it is readable or
  // `idle_deadline` passes.
  static void park(Socket socket, Worker& worker, ProxyShared& shared, ConnectionSlot slot,
                   IdleDeadline idle_deadline);

  ParkedConnection(Socket socket, Worker& worker, ProxyShared& shared, ConnectionSlot slot);
  ParkedConnection(const ParkedConnection&) = delete;
  ParkedConnection& operator=(const ParkedConnection&) = delete;
  ~ParkedConnection();

  // Closes the connection now (drain, or the idle deadline).
  void close();

 private:
  void start(IdleDeadline idle_deadline);
  void resume();

  Socket socket_;
  // The io_context's own executor type: a parked connection is all overhead, and this timer is
  // 40 bytes smaller than a steady_timer with its any_io_executor.
  boost::asio::basic_waitable_timer<std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>,
                                    boost::asio::io_context::executor_type>
      idle_timer_;
  Worker& worker_;
  ProxyShared& shared_;
  ConnectionSlot slot_;
};

}  // namespace levee::http
