#pragma once
// The bounded queue of requests waiting for a permit in one admission group.
//
// Algorithm:
// - One intrusive doubly-linked list per priority class over a node pool; a hash index from
//   TicketId to node makes erase(id) (client disconnect) O(1). Nodes are recycled through a
//   free list, so a steady state allocates nothing but hash nodes.
// - Service order: the highest non-empty class first; within a class FIFO (front) or LIFO
//   (back). `adaptive` is FIFO until the queue has been continuously non-empty for
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
#include "proxy/policy/settings.h"
#include "proxy/policy/ticket.h"

namespace levee::policy {

struct QueueEntry {
  TicketId id = 0;
  Priority priority = Priority::normal;
  TimePoint enqueued{};
  TimePoint deadline = TimePoint::max();  // max: none

  Duration age(TimePoint now) const { return now - enqueued; }
};

class AdmissionQueue {
 public:
  AdmissionQueue(const QueueSettings& settings, TimePoint now);

  // New bounds and order; the owner trims with pop_lowest() if size() > max_length().
  void reconfigure(const QueueSettings& settings);
  const QueueSettings& settings() const { return settings_; }

  std::size_t size() const { return index_.size(); }
  std::size_t size(Priority priority) const { return lists_[index(priority)].size; }
  bool empty() const { return index_.empty(); }
  bool full() const { return index_.size() >= settings_.max_length; }
  bool contains(TicketId id) const { return index_.contains(id); }

  // Appends to the entry's class. Preconditions: !full(), entry.id not queued.
  void push(const QueueEntry& entry, TimePoint now);
  // Removes a ticket wherever it is; nullopt if it was not queued.
  std::optional<QueueEntry> erase(TicketId id, TimePoint now);
  // The next entry to serve, or nullptr; pop_next() removes it. Precondition for pop: !empty().
  const QueueEntry* peek_next(TimePoint now) const;
  QueueEntry pop_next(TimePoint now);
  // The oldest entry of the lowest non-empty class (displacement and trimming), or nullptr.
  const QueueEntry* peek_lowest() const;
  QueueEntry pop_lowest(TimePoint now);

  // How many queued entries would be served before a new entry of `priority` arriving now.
  std::size_t ahead_of(Priority priority, TimePoint now) const;
  // The order in effect now: fifo or lifo (never adaptive).
  QueueOrder order(TimePoint now) const;
  void force_lifo(bool on) { force_lifo_ = on; }

  // Updates the congestion state; the owner calls it on every tick (operations call it too).
  void observe(TimePoint now);
  bool congested() const { return congested_; }
  // The owner shed a waiter as stale or turned a newcomer away at the congested bound.
  void note_overload_shed(TimePoint now) { last_overload_shed_ = now; }
  Duration oldest_age(TimePoint now) const;

  // Visits entries in service order; `pred(entry, position)` returns true to remove the
  // entry, where position counts the entries kept before it. Removed entries are passed to
  // `on_removed(entry)`.
  template <class Pred, class OnRemoved>
  void remove_if(TimePoint now, Pred&& pred, OnRemoved&& on_removed);

 private:
  static constexpr std::uint32_t npos = 0xffffffffu;

  struct Node {
    QueueEntry entry;
    std::uint32_t prev = npos;
    std::uint32_t next = npos;
  };
  struct List {
    std::uint32_t head = npos;  // oldest
    std::uint32_t tail = npos;  // newest
    std::uint32_t size = 0;
  };

  std::uint32_t allocate(const QueueEntry& entry);
  void unlink(std::uint32_t node, TimePoint now);
  std::uint32_t next_node(TimePoint now) const;

  QueueSettings settings_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<TicketId, std::uint32_t> index_;
  std::array<List, priority_count> lists_{};
  bool force_lifo_ = false;
  TimePoint standing_since_{};             // when the queue last became non-empty
  std::optional<TimePoint> above_since_;   // oldest waiter continuously above target since
  bool congested_ = false;
  std::optional<TimePoint> last_overload_shed_;
};

template <class Pred, class OnRemoved>
void AdmissionQueue::remove_if(TimePoint now, Pred&& pred, OnRemoved&& on_removed) {
  const bool lifo = order(now) == QueueOrder::lifo;
  std::size_t position = 0;
  for (const List& list : lists_) {
    std::uint32_t node = lifo ? list.tail : list.head;
    while (node != npos) {
      const std::uint32_t following = lifo ? nodes_[node].prev : nodes_[node].next;
      if (pred(static_cast<const QueueEntry&>(nodes_[node].entry), position)) {
        const QueueEntry removed = nodes_[node].entry;
        unlink(node, now);
        on_removed(removed);
      } else {
        ++position;
      }
      node = following;
    }
  }
  observe(now);
}

}  // namespace levee::policy
