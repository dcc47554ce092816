#include "proxy/policy/admission_queue.h"

#include <algorithm>

namespace levee::policy {

AdmissionQueue::AdmissionQueue(const QueueSettings& settings, TimePoint now)
    : settings_(settings), standing_since_(now) {
  index_.reserve(std::min<std::size_t>(settings_.max_length, 1024));
}

void AdmissionQueue::reconfigure(const QueueSettings& settings) { settings_ = settings; }

std::uint32_t AdmissionQueue::allocate(const QueueEntry& entry) {
  std::uint32_t node;
  if (!free_.empty()) {
    node = free_.back();
    free_.pop_back();
    nodes_[node] = Node{entry, npos, npos};
  } else {
    node = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back(Node{entry, npos, npos});
  }
  return node;
}

void AdmissionQueue::push(const QueueEntry& entry, TimePoint now) {
  if (index_.empty()) standing_since_ = now;
  const std::uint32_t node = allocate(entry);
  List& list = lists_[index(entry.priority)];
  nodes_[node].prev = list.tail;
  if (list.tail != npos) nodes_[list.tail].next = node;
  list.tail = node;
  if (list.head == npos) list.head = node;
  ++list.size;
  index_.emplace(entry.id, node);
  observe(now);
}

void AdmissionQueue::unlink(std::uint32_t node, TimePoint /*now*/) {
  Node& n = nodes_[node];
  List& list = lists_[index(n.entry.priority)];
  if (n.prev != npos) nodes_[n.prev].next = n.next; else list.head = n.next;
  if (n.next != npos) nodes_[n.next].prev = n.prev; else list.tail = n.prev;
  --list.size;
  index_.erase(n.entry.id);
  free_.push_back(node);
}

std::optional<QueueEntry> AdmissionQueue::erase(TicketId id, TimePoint now) {
  const auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  const std::uint32_t node = it->second;
  const QueueEntry entry = nodes_[node].entry;
  unlink(node, now);
  observe(now);
  return entry;
}

QueueOrder AdmissionQueue::order(TimePoint now) const {
  if (force_lifo_) return QueueOrder::lifo;
  switch (settings_.order) {
    case QueueOrder::fifo: return QueueOrder::fifo;
    case QueueOrder::lifo: return QueueOrder::lifo;
    case QueueOrder::adaptive:
      return !congested_ && !index_.empty() && now - standing_since_ >= settings_.lifo_after
                 ? QueueOrder::lifo
                 : QueueOrder::fifo;
  }
  return QueueOrder::fifo;
}

std::uint32_t AdmissionQueue::next_node(TimePoint now) const {
  const bool lifo = order(now) == QueueOrder::lifo;
  for (const List& list : lists_) {
    if (list.size != 0) return lifo ? list.tail : list.head;
  }
  return npos;
}

const QueueEntry* AdmissionQueue::peek_next(TimePoint now) const {
  const std::uint32_t node = next_node(now);
  return node == npos ? nullptr : &nodes_[node].entry;
}

QueueEntry AdmissionQueue::pop_next(TimePoint now) {
  const std::uint32_t node = next_node(now);
  const QueueEntry entry = nodes_[node].entry;
  unlink(node, now);
  observe(now);
  return entry;
}

const QueueEntry* AdmissionQueue::peek_lowest() const {
  for (auto it = lists_.rbegin(); it != lists_.rend(); ++it) {
    if (it->size != 0) return &nodes_[it->head].entry;
  }
  return nullptr;
}

QueueEntry AdmissionQueue::pop_lowest(TimePoint now) {
  const QueueEntry entry = *peek_lowest();
  unlink(index_.at(entry.id), now);
  observe(now);
  return entry;
}

std::size_t AdmissionQueue::ahead_of(Priority priority, TimePoint now) const {
  // FIFO: everything of the same or a higher class is served first. LIFO: a newcomer goes
  // before its own class, so only higher classes are ahead (until someone newer arrives).
  const std::size_t last = index(priority) + (order(now) == QueueOrder::fifo ? 1 : 0);
  std::size_t ahead = 0;
  for (std::size_t c = 0; c < last; ++c) ahead += lists_[c].size;
  return ahead;
}

Duration AdmissionQueue::oldest_age(TimePoint now) const {
  Duration oldest = Duration::zero();
  for (const List& list : lists_) {
    if (list.size != 0) oldest = std::max(oldest, nodes_[list.head].entry.age(now));
  }
  return oldest;
}

void AdmissionQueue::observe(TimePoint now) {
  const Duration target = settings_.codel_target;
  if (target <= Duration::zero()) {
    above_since_.reset();
    congested_ = false;
    return;
  }
  const Duration age = oldest_age(now);  // zero when empty
  if (age > target) {
    // The oldest waiter crossed the target at enqueued + target, possibly between two
    // observations; count from then so the interval does not depend on the tick rate.
    if (!above_since_) above_since_ = now - (age - target);
    if (now - *above_since_ >= settings_.codel_interval) congested_ = true;
  } else {
    above_since_.reset();
    const bool shedding = last_overload_shed_ && now - *last_overload_shed_ < settings_.codel_interval;
    if (age * 2 < target && !shedding) congested_ = false;
  }
}

}  // namespace levee::policy
