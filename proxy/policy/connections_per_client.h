#pragma once
// How many client connections each client address has open, against listener
// .max_connections_per_client: one address (a NAT aside, one host) must not take the whole of
// listener.max_connections.
//
// The key is the TCP peer: an IPv4 address whole, an IPv6 address by its /64. One IPv6 host is
// usually handed a whole /64 and can pick a new address in it per connection, so counting the
// full 128 bits would bound nothing; a /64 is the smallest block a site is normally given.
// (An IPv4-mapped IPv6 peer is IPv4: IpAddress already folds it.)
//
// Bounded state: a map entry exists only while its address has a connection open (erased at
// zero), so the map is never larger than the open connections. Thread-safe: the listener opens
// on its worker, sessions close on theirs; one short mutex around a hash-map update, no I/O.

#include "proxy/policy/ip_address.h"

#include <array>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace levee::policy {

class ConnectionsPerClient {
 public:
  // Family tag and the counted bytes (IPv4: 4, IPv6: the /64), the rest zero.
  using Key = std::array<std::uint8_t, 9>;
  static Key key_of(const IpAddress& peer);

  // Called when a connection from `key` is accepted. True: counted, and the caller owes one
  // close(key) when the connection ends. False: `key` already has `cap` open; nothing counted.
  bool try_open(const Key& key, std::uint64_t cap);
  // The end of a connection try_open counted.
  void close(const Key& key);

  std::uint64_t open(const Key& key) const;  // for tests and /state
  std::size_t clients() const;               // addresses with a connection open

 private:
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  mutable std::mutex mu_;
  std::unordered_map<Key, std::uint64_t, KeyHash> open_;
};

}  // namespace levee::policy
