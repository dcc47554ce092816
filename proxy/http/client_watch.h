#pragma once
// Noticing that a client has left while levee waits on something else for it (a queue slot,
// the service's answer), without reading from its connection: the socket turning readable
// with nothing to read is a closed peer. Data (a body, a pipelined request) means the client
// is still there; it stays in the kernel buffer for the session, and the watch ends there
// (it cannot be told apart from a close without reading it).
//
// ClientWatch cancels `target`'s pending operations when the client leaves, so the exchange
// waiting on the service stops at once and the service's connection is closed (HAProxy's
// abortonclose): the service learns the work is wasted. Worker thread only: the client and
// the target live on the same io_context, and the shared state outlives the watch for the
// handler that may still be queued after it.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <memory>

namespace levee::http {

// The peer of `fd` has closed (or the socket failed); false while it is open or sent data.
bool peer_closed(int fd);

class ClientWatch {
 public:
  ClientWatch(boost::asio::ip::tcp::socket& client, boost::beast::tcp_stream& target);
  ~ClientWatch();
  ClientWatch(const ClientWatch&) = delete;
  ClientWatch& operator=(const ClientWatch&) = delete;

  // The client left (and the target was cancelled).
  bool client_gone() const { return state_->gone; }

 private:
  struct State {
    boost::beast::tcp_stream* target = nullptr;  // null once the watch ended
    bool gone = false;
  };
  boost::asio::ip::tcp::socket& client_;
  std::shared_ptr<State> state_;
};

}  // namespace levee::http
