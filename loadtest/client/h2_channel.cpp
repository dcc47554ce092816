#include "client/h2_channel.h"

#include <algorithm>

namespace levee::load {

bool H2Channel::start(const RequestParts& request, Clock::time_point deadline, std::uint32_t tag, std::uint32_t key) {
  H2Link* link = pick();
  if (link == nullptr) return false;
  // The deadline value says what is left now, as the HTTP/1.1 path writes it.
  const std::string text = assemble(request, deadline - Clock::now(), key);
  const auto h2_request = h2_request_from_http1(text);
  return h2_request && link->start(*h2_request, deadline, tag);
}

void H2Channel::close() {
  // Taken out first: a link's last callbacks may reach the driver, which may call here again.
  auto links = std::move(links_);
  links_.clear();
  for (const auto& link : links) link->close();
  live_.connections.store(0, std::memory_order_relaxed);
}

H2Link* H2Channel::pick() {
  std::erase_if(links_, [this](const std::shared_ptr<H2Link>& link) {
    if (!link->dead()) return false;
    live_.connections.fetch_sub(1, std::memory_order_relaxed);
    return true;
  });
  H2Link* best = nullptr;
  for (const auto& link : links_) {
    if (link->can_take() && (best == nullptr || link->open_streams() < best->open_streams())) best = link.get();
  }
  if (best != nullptr || links_.size() >= max_connections_) return best;
  links_.push_back(std::make_shared<H2Link>(ioc_, endpoint_, owner_));
  links_.back()->open();
  live_.connections.fetch_add(1, std::memory_order_relaxed);
  return links_.back().get();
}

}  // namespace levee::load
