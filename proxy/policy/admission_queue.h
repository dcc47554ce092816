#pragma once
// The bounded queue of requests waiting for a permit in one admission group.
//
// Algorithm:
// - One intrusive doubly-linked list per priority class over a node pool, in arrival order; a
//   hash index from TicketId to node makes erase(id) (client disconnect) O(1). Nodes are
//   recycled through a free list, so a steady state allocates nothing but hash nodes.
// - Flows (fair admission): every waiter belongs to a flow (FlowTable); each flow links its
//   own waiters per class, and the queue counts each flow's requests in flight (the owner
//   reports grants and releases). Without a flow key everyone is one flow and this is plain
//   class order.
// - Service order: the highest non-empty class first; within a class, the waiting flow with
//   the fewest requests in flight per unit of weight (the one furthest below its share of the
//   limit: max-min fairness, work-conserving because only waiting flows compete), ties to the
//   one served longest ago; within that flow FIFO (oldest) or LIFO (newest). Shed order is
//   the reverse: the lowest class, its heaviest flow by (in flight + waiting) per weight, that
//   flow's oldest waiter. Two indexed heaps per class keep both choices O(log flows). `adaptive` is FIFO until the queue has been continuously non-empty for
//   `lifo_after`, then LIFO until it empties (Facebook's adaptive LIFO: when a queue stands,
//   the newest caller is the one most likely still waiting). Recovery mode forces LIFO.
// - Congestion (controlled delay, after CoDel and "Fail at Scale"): the queue is congested
//   once its oldest waiter has been older than `codel_target` for a whole `codel_interval`
//   (the minimum standing wait over the interval exceeded the target). While congested, the
//   owner sheds waiters older than the target and turns newcomers away at a bound (see
//   Admission), reporting each with note_overload_shed(). Congestion ends when the standing
//   queue has dissolved -- its oldest waiter younger than half the target, or none -- and
//   nobody was shed that way for a whole interval: a queue kept short by shedding is short
//   because of the shedding, not because the overload is over.
//   Measuring the oldest waiter rather than the served one keeps the signal honest under LIFO,
//   where the served request is always young.
// - `adaptive` serves FIFO again once congested: the bound keeps every waiter's wait under
//   the target, so order no longer decides who is served in time, and LIFO would starve the
//   oldest waiters into stale sheds that answer after a wait instead of at once.
//
// The queue decides order and congestion; Admission decides who is shed and why.
// Thread safety: none; Admission calls it under its mutex.

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "proxy/policy/clock.h"
#include "proxy/policy/priority.h"
#include "proxy/policy/flow_table.h"
#include "proxy/policy/indexed_heap.h"
#include "proxy/policy/settings.h"
#include "proxy/policy/ticket.h"

namespace levee::policy {

struct QueueEntry {
  TicketId id = 0;
  Priority priority = Priority::normal;
  TimePoint enqueued{};
  TimePoint deadline = TimePoint::max();  // max: none
  FlowId flow = no_flow_key;              // set by push()
  std::uint16_t named = 0;                // the flow's named index at push (metrics)

  Duration age(TimePoint now) const { return now - enqueued; }
};

class AdmissionQueue {
 public:
  static constexpr std::uint32_t npos = Flow::npos;

  AdmissionQueue(const QueueSettings& settings, TimePoint now);
  AdmissionQueue(const AdmissionQueue&) = delete;  // the heaps point back at the flow table
  AdmissionQueue& operator=(const AdmissionQueue&) = delete;

  // New bounds and order; the owner trims with pop_lowest() if size() > max_length().
  void reconfigure(const QueueSettings& settings);
  const QueueSettings& settings() const { return settings_; }

  std::size_t size() const { return index_.size(); }
  std::size_t size(Priority priority) const { return lists_[index(priority)].size; }
  bool empty() const { return index_.empty(); }
  bool full() const { return index_.size() >= settings_.max_length; }
  bool contains(TicketId id) const { return index_.contains(id); }

  // ---- flows
  // The flow's slot, live from now until it has nothing in flight or waiting. A slot taken
  // and then not used (the request was shed) must be handed back with forget_if_idle().
  std::uint32_t flow_slot(FlowId id, const FlowTraits& traits) { return flows_.acquire(id, traits); }
  void forget_if_idle(std::uint32_t slot) { flows_.release_if_idle(slot); }
  const Flow& flow(std::uint32_t slot) const { return flows_[slot]; }
  FlowTable& flows() { return flows_; }
  const FlowTable& flows() const { return flows_; }
  // A request of the flow was admitted without waiting, or one finished (counted permits).
  void flow_admitted(std::uint32_t slot);
  void flow_released(FlowId id);
  // The heaviest flow waiting in `priority`'s class, or npos.
  std::uint32_t heaviest_waiting(Priority priority) const;
  // a is heavier than b: more in flight + waiting per unit of weight (`extra_b` added to b's,
  // e.g. the arrival b brings; then a tie is not heavier).
  bool heavier(std::uint32_t a, std::uint32_t b, std::uint32_t extra_b = 0) const;
  // A flow's weight or cap changed (reload, or its key became a named flow).
  void set_flow_traits(std::uint32_t slot, const FlowTraits& traits);

  // ---- waiters
  // Appends to the entry's class and flow. Preconditions: !full(), entry.id not queued.
  void push(QueueEntry entry, std::uint32_t flow_slot, TimePoint now);
  // Removes a ticket wherever it is; nullopt if it was not queued.
  std::optional<QueueEntry> erase(TicketId id, TimePoint now);
  // The next entry to serve, or nullptr. pop_next() removes it unserved (shed);
  // grant_next() removes it and, if `count`, counts it in flight for its flow.
  // Precondition for both: !empty().
  const QueueEntry* peek_next(TimePoint now) const;
  QueueEntry pop_next(TimePoint now);
  QueueEntry grant_next(TimePoint now, bool count);
  // The entry shed first (displacement and trimming): the oldest waiter of the heaviest flow
  // of the lowest non-empty class, or nullptr.
  const QueueEntry* peek_lowest() const;
  QueueEntry pop_lowest(TimePoint now);
  // The oldest waiter of a flow in a class (fair displacement).
  QueueEntry pop_oldest_of(std::uint32_t flow_slot, Priority priority, TimePoint now);

  // About how many queued entries would be served before a new entry of `priority` and flow
  // arriving now: exact with one flow; with several, none of its class when its flow is next
  // in line, all of its class otherwise.
  std::size_t ahead_of(Priority priority, std::uint32_t flow_slot, TimePoint now) const;
  // The order in effect now: fifo or lifo (never adaptive).
  QueueOrder order(TimePoint now) const;
  void force_lifo(bool on) { force_lifo_ = on; }

  // Updates the congestion state; the owner calls it on every tick (operations call it too).
  void observe(TimePoint now);
  bool congested() const { return congested_; }
  // The owner shed a waiter as stale or turned a newcomer away at the congested bound.
  void note_overload_shed(TimePoint now) { last_overload_shed_ = now; }
  Duration oldest_age(TimePoint now) const;

  // Visits entries in about service order; `pred(entry, position)` returns true to remove the
  // entry, where position estimates the entries kept that are served before it (exact with
  // one flow; with several, flows take turns). Removed entries go to `on_removed(entry)`.
  template <class Pred, class OnRemoved>
  void remove_if(TimePoint now, Pred&& pred, OnRemoved&& on_removed);

 private:
  struct Node {
    QueueEntry entry;
    std::uint32_t flow = npos;        // slot in flows_
    std::uint32_t prev = npos;        // class list, arrival order
    std::uint32_t next = npos;
    std::uint32_t flow_prev = npos;   // the flow's list in this class
    std::uint32_t flow_next = npos;
  };
  struct List {
    std::uint32_t head = npos;  // oldest
    std::uint32_t tail = npos;  // newest
    std::uint32_t size = 0;
  };
  // Heap orders over flow slots.
  struct ServedFirst {
    const FlowTable* flows;
    bool operator()(std::uint32_t a, std::uint32_t b) const;
  };
  struct ShedFirst {
    const AdmissionQueue* queue;
    bool operator()(std::uint32_t a, std::uint32_t b) const { return queue->heavier(a, b); }
  };
  struct NextPosition {
    FlowTable* flows;
    std::size_t priority;
    std::uint32_t& operator()(std::uint32_t slot) const { return (*flows)[slot].classes[priority].next_position; }
  };
  struct ShedPosition {
    FlowTable* flows;
    std::size_t priority;
    std::uint32_t& operator()(std::uint32_t slot) const { return (*flows)[slot].classes[priority].shed_position; }
  };
  using NextHeap = IndexedHeap<ServedFirst, NextPosition>;
  using ShedHeap = IndexedHeap<ShedFirst, ShedPosition>;

  std::uint32_t allocate(const QueueEntry& entry, std::uint32_t flow);
  void unlink(std::uint32_t node);
  void reorder(std::uint32_t flow);
  std::uint32_t next_node(TimePoint now) const;
  std::vector<std::uint32_t> flows_in_service_order(std::size_t priority) const;

  QueueSettings settings_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<TicketId, std::uint32_t> index_;
  std::array<List, priority_count> lists_{};
  FlowTable flows_;
  std::vector<NextHeap> next_;   // per class: the waiting flows, next served on top
  std::vector<ShedHeap> shed_;   // per class: the waiting flows, heaviest on top
  std::uint64_t grants_ = 0;     // sequence for Flow::last_served
  bool force_lifo_ = false;
  TimePoint standing_since_{};             // when the queue last became non-empty
  std::optional<TimePoint> above_since_;   // oldest waiter continuously above target since
  bool congested_ = false;
  std::optional<TimePoint> last_overload_shed_;
};

template <class Pred, class OnRemoved>
void AdmissionQueue::remove_if(TimePoint now, Pred&& pred, OnRemoved&& on_removed) {
  const bool lifo = order(now) == QueueOrder::lifo;
  std::size_t kept_before = 0;  // kept entries of higher classes
  for (std::size_t c = 0; c < priority_count; ++c) {
    const std::vector<std::uint32_t> flows = flows_in_service_order(c);
    std::size_t kept_here = 0;
    for (std::size_t rank = 0; rank < flows.size(); ++rank) {
      const Flow::Waiting& waiting = flows_[flows[rank]].classes[c];
      std::uint32_t node = lifo ? waiting.tail : waiting.head;
      std::size_t turn = 0;  // kept entries of this flow before this one
      while (node != npos) {
        const std::uint32_t following = lifo ? nodes_[node].flow_prev : nodes_[node].flow_next;
        const std::size_t position = kept_before + turn * flows.size() + rank;
        if (pred(static_cast<const QueueEntry&>(nodes_[node].entry), position)) {
          const QueueEntry removed = nodes_[node].entry;
          unlink(node);
          on_removed(removed);
        } else {
          ++turn;
          ++kept_here;
        }
        node = following;
      }
    }
    kept_before += kept_here;
  }
  observe(now);
}

}  // namespace levee::policy
