#pragma once
// Accepts client connections on one worker and hands each to the next worker round-robin (the
// socket is created directly on the target worker's io_context, so it never migrates).
// Over listener.max_connections, or over listener.max_connections_per_client from its address,
// a connection gets a fast 503 and is closed: a flood costs a few microseconds per connection
// instead of a file descriptor held for minutes.
//
// Connections are accepted in bursts: once the loop's asynchronous accept completes, every other
// connection already waiting (up to max_accept_burst) is accepted at once with non-blocking
// accept() calls. Each asynchronous accept completes through a trip round the worker's queue,
// and each trip costs an epoll_wait: with clients that connect for every request, one accept at
// a time made levee poll once a connection, where HAProxy (which accepts in bursts as well,
// tune.maxaccept) polls about once in four.

#include "proxy/http/proxy_state.h"
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
  boost::asio::awaitable<void> accept_loop();
  // What follows an accept: the connection limits, then a session on `worker`.
  void take(boost::asio::ip::tcp::socket socket, const boost::asio::ip::tcp::endpoint& peer, Worker& worker);
  Worker& next_worker();

  std::size_t next_ = 0;  // round-robin over worker_states_

  WorkerPool& workers_;
  std::vector<Worker*> worker_states_;
  ProxyShared& shared_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace levee::http
