#include "proxy/policy/admission_queue.h"

#include <algorithm>

namespace levee::policy {

bool AdmissionQueue::ServedFirst::operator()(std::uint32_t a, std::uint32_t b) const {
  const Flow& fa = (*flows)[a];
  const Flow& fb = (*flows)[b];
  // Fewer in flight per unit of weight first: a / wa < b / wb, in integers.
  const std::uint64_t la = std::uint64_t{fa.in_flight} * fb.traits.weight;
  const std::uint64_t lb = std::uint64_t{fb.in_flight} * fa.traits.weight;
  if (la != lb) return la < lb;
  if (fa.last_served != fb.last_served) return fa.last_served < fb.last_served;
  return a < b;
}

bool AdmissionQueue::heavier(std::uint32_t a, std::uint32_t b, std::uint32_t extra_b) const {
  const Flow& fa = flows_[a];
  const Flow& fb = flows_[b];
  const std::uint64_t la = (std::uint64_t{fa.in_flight} + fa.waiting) * fb.traits.weight;
  const std::uint64_t lb = (std::uint64_t{fb.in_flight} + fb.waiting + extra_b) * fa.traits.weight;
  if (la != lb) return la > lb;
  return extra_b == 0 && a < b;  // a strict order for the heap; an arrival never loses a tie
}

void AdmissionQueue::set_flow_traits(std::uint32_t slot, const FlowTraits& traits) {
  flows_.set_traits(slot, traits);
  reorder(slot);
}

AdmissionQueue::AdmissionQueue(const QueueSettings& settings, TimePoint now)
    : settings_(settings), standing_since_(now) {
  index_.reserve(std::min<std::size_t>(settings_.max_length, 1024));
  next_.reserve(priority_count);
  shed_.reserve(priority_count);
  for (std::size_t c = 0; c < priority_count; ++c) {
    next_.emplace_back(ServedFirst{&flows_}, NextPosition{&flows_, c});
    shed_.emplace_back(ShedFirst{this}, ShedPosition{&flows_, c});
  }
}

void AdmissionQueue::reconfigure(const QueueSettings& settings) { settings_ = settings; }

// ---- flows ---------------------------------------------------------------------------------

// A flow's counts changed: move it in every heap it is in.
void AdmissionQueue::reorder(std::uint32_t slot) {
  const Flow& flow = flows_[slot];
  if (flow.waiting == 0) return;
  for (std::size_t c = 0; c < priority_count; ++c) {
    if (flow.classes[c].size == 0) continue;
    next_[c].update(slot);
    shed_[c].update(slot);
  }
}

void AdmissionQueue::flow_admitted(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  ++flow.in_flight;
  flow.last_served = ++grants_;
  reorder(slot);
}

void AdmissionQueue::flow_released(FlowId id) {
  const std::uint32_t slot = flows_.find(id);
  if (slot == npos) return;
  Flow& flow = flows_[slot];
  if (flow.in_flight != 0) --flow.in_flight;
  reorder(slot);
  flows_.release_if_idle(slot);
}

std::uint32_t AdmissionQueue::heaviest_waiting(Priority priority) const {
  const ShedHeap& heap = shed_[index(priority)];
  return heap.empty() ? npos : heap.top();
}

std::vector<std::uint32_t> AdmissionQueue::flows_in_service_order(std::size_t priority) const {
  std::vector<std::uint32_t> flows = next_[priority].items();
  std::sort(flows.begin(), flows.end(), ServedFirst{&flows_});
  return flows;
}

// ---- waiters -------------------------------------------------------------------------------

std::uint32_t AdmissionQueue::allocate(const QueueEntry& entry, std::uint32_t flow) {
  std::uint32_t node;
  if (!free_.empty()) {
    node = free_.back();
    free_.pop_back();
    nodes_[node] = Node{entry, flow};
  } else {
    node = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back(Node{entry, flow});
  }
  return node;
}

void AdmissionQueue::push(QueueEntry entry, std::uint32_t flow_slot, TimePoint now) {
  if (index_.empty()) standing_since_ = now;
  Flow& flow = flows_[flow_slot];
  entry.flow = flow.id;
  entry.named = flow.traits.named;
  const std::size_t c = index(entry.priority);
  const std::uint32_t node = allocate(entry, flow_slot);

  List& list = lists_[c];
  nodes_[node].prev = list.tail;
  if (list.tail != npos) nodes_[list.tail].next = node;
  list.tail = node;
  if (list.head == npos) list.head = node;
  ++list.size;

  Flow::Waiting& waiting = flow.classes[c];
  nodes_[node].flow_prev = waiting.tail;
  if (waiting.tail != npos) nodes_[waiting.tail].flow_next = node;
  waiting.tail = node;
  if (waiting.head == npos) waiting.head = node;
  ++waiting.size;
  ++flow.waiting;
  if (waiting.size == 1) {
    next_[c].push(flow_slot);
    shed_[c].push(flow_slot);
  }
  reorder(flow_slot);

  index_.emplace(entry.id, node);
  observe(now);
}

void AdmissionQueue::unlink(std::uint32_t node) {
  Node& n = nodes_[node];
  const std::size_t c = index(n.entry.priority);
  List& list = lists_[c];
  if (n.prev != npos) nodes_[n.prev].next = n.next; else list.head = n.next;
  if (n.next != npos) nodes_[n.next].prev = n.prev; else list.tail = n.prev;
  --list.size;

  const std::uint32_t slot = n.flow;
  Flow& flow = flows_[slot];
  Flow::Waiting& waiting = flow.classes[c];
  if (n.flow_prev != npos) nodes_[n.flow_prev].flow_next = n.flow_next; else waiting.head = n.flow_next;
  if (n.flow_next != npos) nodes_[n.flow_next].flow_prev = n.flow_prev; else waiting.tail = n.flow_prev;
  --waiting.size;
  --flow.waiting;
  if (waiting.size == 0) {
    next_[c].erase(slot);
    shed_[c].erase(slot);
  }
  reorder(slot);
  flows_.release_if_idle(slot);

  index_.erase(n.entry.id);
  free_.push_back(node);
}

std::optional<QueueEntry> AdmissionQueue::erase(TicketId id, TimePoint now) {
  const auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  const std::uint32_t node = it->second;
  const QueueEntry entry = nodes_[node].entry;
  unlink(node);
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
  for (std::size_t c = 0; c < priority_count; ++c) {
    if (lists_[c].size == 0) continue;
    const Flow::Waiting& waiting = flows_[next_[c].top()].classes[c];
    return lifo ? waiting.tail : waiting.head;
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
  unlink(node);
  observe(now);
  return entry;
}

QueueEntry AdmissionQueue::grant_next(TimePoint now, bool count) {
  const std::uint32_t node = next_node(now);
  const QueueEntry entry = nodes_[node].entry;
  Flow& flow = flows_[nodes_[node].flow];
  // Counted before the waiter leaves, so the flow never looks idle in between.
  if (count) ++flow.in_flight;
  flow.last_served = ++grants_;
  unlink(node);
  observe(now);
  return entry;
}

const QueueEntry* AdmissionQueue::peek_lowest() const {
  for (std::size_t c = priority_count; c-- > 0;) {
    if (lists_[c].size == 0) continue;
    return &nodes_[flows_[shed_[c].top()].classes[c].head].entry;
  }
  return nullptr;
}

QueueEntry AdmissionQueue::pop_lowest(TimePoint now) {
  const QueueEntry entry = *peek_lowest();
  unlink(index_.at(entry.id));
  observe(now);
  return entry;
}

QueueEntry AdmissionQueue::pop_oldest_of(std::uint32_t flow_slot, Priority priority, TimePoint now) {
  const std::uint32_t node = flows_[flow_slot].classes[index(priority)].head;
  const QueueEntry entry = nodes_[node].entry;
  unlink(node);
  observe(now);
  return entry;
}

std::size_t AdmissionQueue::ahead_of(Priority priority, std::uint32_t flow_slot, TimePoint now) const {
  const std::size_t c = index(priority);
  std::size_t ahead = 0;
  for (std::size_t higher = 0; higher < c; ++higher) ahead += lists_[higher].size;
  const bool fifo = order(now) == QueueOrder::fifo;
  // FIFO: the flow's own earlier waiters go first. LIFO: a newcomer goes before its own flow.
  const std::size_t own = fifo ? flows_[flow_slot].classes[c].size : 0;
  const bool next_in_line = next_[c].empty() || !ServedFirst{&flows_}(next_[c].top(), flow_slot) ||
                            next_[c].top() == flow_slot;
  if (next_in_line) return ahead + own;
  return ahead + lists_[c].size - flows_[flow_slot].classes[c].size + own;
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
