#pragma once
// The flows of one admission group that have a request in flight or waiting, and nothing
// else: a flow with neither has no share to defend, so it needs no state. The table is
// therefore bounded by the group's in-flight count plus its queue length, however many keys
// exist -- a million users cost nothing while idle.
//
// Slots are stable (a flow keeps its slot while it is live; the queue links waiters to it)
// and recycled through a free list; an open-addressing index (linear probing, backward-shift
// deletion) maps a FlowId to its slot. FlowIds are keyed hashes (flow_hash.h), so their low
// bits index the table directly.
// Thread safety: none; AdmissionQueue uses it under Admission's mutex.

#include <array>
#include <cstdint>
#include <vector>

#include "proxy/policy/priority.h"
#include "proxy/policy/ticket.h"

namespace levee::policy {

// What the configuration says about a flow (a named flow's, or the defaults).
struct FlowTraits {
  std::uint32_t weight = 1;
  std::uint32_t cap = 0;       // 0: none
  std::uint16_t named = 0;     // 1-based index of the named flow; 0: not named

  bool operator==(const FlowTraits&) const = default;
};

struct Flow {
  static constexpr std::uint32_t npos = 0xffffffffu;

  // Waiters of one priority class, linked through the queue's nodes in arrival order.
  struct Waiting {
    std::uint32_t head = npos;
    std::uint32_t tail = npos;
    std::uint32_t size = 0;
    std::uint32_t next_position = npos;   // in the class's service heap
    std::uint32_t shed_position = npos;   // in the class's shed heap
  };

  FlowId id = 0;
  FlowTraits traits;
  std::uint32_t in_flight = 0;
  std::uint32_t waiting = 0;          // all classes
  std::uint64_t last_served = 0;      // grant sequence number: ties go to the longest unserved
  std::array<Waiting, priority_count> classes{};

  bool idle() const { return in_flight == 0 && waiting == 0; }
};

class FlowTable {
 public:
  static constexpr std::uint32_t npos = Flow::npos;

  FlowTable();

  // The flow's slot, created with `traits` if it is not live.
  std::uint32_t acquire(FlowId id, const FlowTraits& traits);
  // The live flow's slot, or npos.
  std::uint32_t find(FlowId id) const;
  // Drops the flow if it has become idle (call after its counts fell).
  void release_if_idle(std::uint32_t slot);

  Flow& operator[](std::uint32_t slot) { return flows_[slot]; }
  const Flow& operator[](std::uint32_t slot) const { return flows_[slot]; }
  std::size_t size() const { return live_; }
  // Sum of the live flows' weights: what a flow's weight is a share of.
  std::uint64_t total_weight() const { return total_weight_; }
  void set_traits(std::uint32_t slot, const FlowTraits& traits);

  // Visits every live flow (reconfiguration, snapshots).
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (std::uint32_t entry : index_) {
      if (entry != empty) visit(entry - 1, flows_[entry - 1]);
    }
  }

 private:
  static constexpr std::uint32_t empty = 0;  // index_ holds slot + 1

  std::size_t home(FlowId id) const { return static_cast<std::size_t>(id) & (index_.size() - 1); }
  void grow();
  void unindex(FlowId id);

  std::vector<Flow> flows_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> index_;
  std::size_t live_ = 0;
  std::uint64_t total_weight_ = 0;
};

}  // namespace levee::policy
