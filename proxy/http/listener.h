#pragma once
// Accepts client connections on one worker and hands each to the next worker round-robin (the
// socket is created directly on the target worker's io_context, so it never migrates).
// Over listener.max_connections, or over listener.max_connections_per_client from its address,
// a connection gets a fast 503 and is closed: a flood costs a few microseconds per connection
// instead of a file descriptor held for minutes.

#include "proxy/http/proxy_state.h"
#include "proxy/http/worker_executor.h"
#include "proxy/http/worker_pool.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <vector>

namespace levee::http {

class Listener {
 public:
  // Binds and listens now (errors throw, at startup), so the bound port is known at once.
  Listener(WorkerPool& workers, std::vector<Worker*> worker_states, ProxyShared& shared,
           const boost::asio::ip::tcp::endpoint& endpoint);

  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void start();  // spawns the accept loop on worker 0
  void close();  // stop accepting; thread-safe (posted to the accepting worker)

 private:
  Awaitable<void> accept_loop();

  WorkerPool& workers_;
  std::vector<Worker*> worker_states_;
  ProxyShared& shared_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace levee::http
