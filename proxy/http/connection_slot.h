#pragma once
// The place one accepted client connection holds in the connection accounting: the process
// count (ProxyShared::open_connections, taken by the listener), the open-connections gauge and,
// with listener.max_connections_per_client, its client's count. Given back exactly once, when
// the last owner goes: the connection is handed from a ClientSession to a ParkedConnection and
// back while it idles (parked_connection.h), and the slot moves with it, so parking neither
// frees a place under listener.max_connections nor counts the connection twice.
//
// Move-only; touched on the connection's worker thread (the counts it updates are atomic).

#include "proxy/http/proxy_state.h"

#include <optional>
#include <utility>

namespace levee::http {

class ConnectionSlot {
 public:
  // `counted`: the key the listener counted the connection under in
  // shared.connections_per_client; nullopt: not counted there.
  ConnectionSlot(ProxyShared& shared, std::optional<policy::ConnectionsPerClient::Key> counted)
      : shared_(&shared), counted_(counted) {
    shared_->metrics.client_connections_open().Increment();
  }
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : shared_(std::exchange(other.shared_, nullptr)), counted_(other.counted_) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() {
    if (!shared_) return;  // moved from
    shared_->metrics.client_connections_open().Decrement();
    shared_->open_connections.fetch_sub(1, std::memory_order_relaxed);
    if (counted_) shared_->connections_per_client.close(*counted_);
  }

 private:
  ProxyShared* shared_;
  std::optional<policy::ConnectionsPerClient::Key> counted_;
};

}  // namespace levee::http
