#include "proxy/policy/flow_table.h"

namespace levee::policy {

namespace {
constexpr std::size_t initial_index_size = 64;  // power of two
}  // namespace

FlowTable::FlowTable() : index_(initial_index_size, empty) {}

std::uint32_t FlowTable::find(FlowId id) const {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t at = home(id);; at = (at + 1) & mask) {
    const std::uint32_t entry = index_[at];
    if (entry == empty) return npos;
    if (flows_[entry - 1].id == id) return entry - 1;
  }
}

std::uint32_t FlowTable::acquire(FlowId id, const FlowTraits& traits) {
  const std::size_t mask = index_.size() - 1;
  std::size_t at = home(id);
  for (;; at = (at + 1) & mask) {
    const std::uint32_t entry = index_[at];
    if (entry == empty) break;
    if (flows_[entry - 1].id == id) return entry - 1;
  }
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(flows_.size());
    flows_.emplace_back();
  }
  flows_[slot] = Flow{};
  flows_[slot].id = id;
  flows_[slot].traits = traits;
  index_[at] = slot + 1;
  ++live_;
  total_weight_ += traits.weight;
  // At most half full keeps probe sequences short.
  if (live_ * 2 > index_.size()) grow();
  return slot;
}

void FlowTable::grow() {
  std::vector<std::uint32_t> old(index_.size() * 2, empty);
  old.swap(index_);
  const std::size_t mask = index_.size() - 1;
  for (const std::uint32_t entry : old) {
    if (entry == empty) continue;
    std::size_t at = home(flows_[entry - 1].id);
    while (index_[at] != empty) at = (at + 1) & mask;
    index_[at] = entry;
  }
}

void FlowTable::unindex(FlowId id) {
  const std::size_t mask = index_.size() - 1;
  std::size_t hole = home(id);
  while (flows_[index_[hole] - 1].id != id) hole = (hole + 1) & mask;
  // Backward shift: pull later members of the probe run into the hole, so lookups never need
  // tombstones and the table never degrades under churn.
  for (std::size_t next = (hole + 1) & mask; index_[next] != empty; next = (next + 1) & mask) {
    const std::size_t wanted = home(flows_[index_[next] - 1].id);
    // Movable when its home is not inside (hole, next] on the ring.
    const bool home_in_between = hole <= next ? (wanted > hole && wanted <= next) : (wanted > hole || wanted <= next);
    if (!home_in_between) {
      index_[hole] = index_[next];
      hole = next;
    }
  }
  index_[hole] = empty;
}

void FlowTable::release_if_idle(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  if (!flow.idle()) return;
  unindex(flow.id);
  total_weight_ -= flow.traits.weight;
  --live_;
  free_.push_back(slot);
}

void FlowTable::set_traits(std::uint32_t slot, const FlowTraits& traits) {
  total_weight_ -= flows_[slot].traits.weight;
  flows_[slot].traits = traits;
  total_weight_ += traits.weight;
}

}  // namespace levee::policy
