#include "proxy/policy/connections_per_client.h"

#include <algorithm>

namespace levee::policy {

ConnectionsPerClient::Key ConnectionsPerClient::key_of(const IpAddress& peer) {
  Key key{};
  const auto bytes = peer.bytes();
  key[0] = static_cast<std::uint8_t>(peer.family());
  // IPv6: the first 8 bytes are the /64 (see the header for why).
  const std::size_t counted = std::min<std::size_t>(bytes.size(), key.size() - 1);
  std::copy_n(bytes.begin(), counted, key.begin() + 1);
  return key;
}

std::size_t ConnectionsPerClient::KeyHash::operator()(const Key& key) const {
  // FNV-1a: nine bytes, and the map holds at most the open connections.
  std::uint64_t hash = 14695981039346656037ull;
  for (const std::uint8_t byte : key) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return static_cast<std::size_t>(hash);
}

bool ConnectionsPerClient::try_open(const Key& key, std::uint64_t cap) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = open_.try_emplace(key, 0);
  if (it->second >= cap) {
    if (inserted) open_.erase(it);  // cap 0: nothing may open, and nothing stays behind
    return false;
  }
  ++it->second;
  return true;
}

void ConnectionsPerClient::close(const Key& key) {
  std::lock_guard lock(mu_);
  auto it = open_.find(key);
  if (it == open_.end()) return;  // not counted: nothing owed
  if (--it->second == 0) open_.erase(it);
}

std::uint64_t ConnectionsPerClient::open(const Key& key) const {
  std::lock_guard lock(mu_);
  auto it = open_.find(key);
  return it == open_.end() ? 0 : it->second;
}

std::size_t ConnectionsPerClient::clients() const {
  std::lock_guard lock(mu_);
  return open_.size();
}

}  // namespace levee::policy
