#include "proxy/policy/h2_client_pool.h"

#include <algorithm>
#include <utility>

namespace levee::policy {

H2PoolChoice H2ClientPool::choose() const {
  const Entry* best = nullptr;
  H2ConnectionId best_id = 0;
  for (const auto& [id, entry] : connections_) {
    if (entry.connecting || !entry.state.usable || entry.state.available_streams == 0) continue;
    if (best == nullptr || entry.state.open_streams < best->state.open_streams) {
      best = &entry;
      best_id = id;
    }
  }
  if (best != nullptr) return {H2PoolChoice::Kind::use, best_id};
  if (connecting() > 0) return {H2PoolChoice::Kind::wait, 0};
  // Connections that will never take a stream again do not hold a place under the cap: a
  // service that sent GOAWAY to all of them gets a fresh one at once.
  const auto in_service = static_cast<std::size_t>(std::count_if(
      connections_.begin(), connections_.end(), [](const auto& entry) { return entry.second.state.usable; }));
  if (in_service < settings_.max_connections) return {H2PoolChoice::Kind::open_new, 0};
  return {H2PoolChoice::Kind::wait, 0};
}

H2ConnectionId H2ClientPool::add_connecting() {
  const H2ConnectionId id = next_id_++;
  connections_[id] = Entry{};
  return id;
}

void H2ClientPool::update(H2ConnectionId id, const H2ConnectionState& state) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  found->second.connecting = false;
  found->second.state = state;
}

void H2ClientPool::on_stream_opened(H2ConnectionId id, TimePoint now) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  H2ConnectionState& state = found->second.state;
  if (state.available_streams > 0) --state.available_streams;
  ++state.open_streams;
  state.last_activity = now;
}

void H2ClientPool::remove(H2ConnectionId id) { connections_.erase(id); }

std::vector<H2ConnectionId> H2ClientPool::to_close(TimePoint now) const {
  std::vector<H2ConnectionId> out;
  std::vector<std::pair<TimePoint, H2ConnectionId>> idle;
  std::size_t usable = 0;
  for (const auto& [id, entry] : connections_) {
    if (entry.connecting) continue;
    const H2ConnectionState& state = entry.state;
    if (!state.usable) {
      if (state.open_streams == 0) out.push_back(id);
      continue;
    }
    ++usable;
    if (state.open_streams == 0 && now - state.last_activity >= settings_.idle_timeout)
      idle.emplace_back(state.last_activity, id);
  }
  std::sort(idle.begin(), idle.end());
  const std::size_t closable = usable > settings_.keep_open ? usable - settings_.keep_open : 0;
  for (std::size_t i = 0; i < std::min(closable, idle.size()); ++i) out.push_back(idle[i].second);
  return out;
}

std::size_t H2ClientPool::connecting() const {
  return static_cast<std::size_t>(
      std::count_if(connections_.begin(), connections_.end(), [](const auto& entry) { return entry.second.connecting; }));
}

}  // namespace levee::policy
