#include "proxy/policy/top_flows.h"

#include <algorithm>
#include <cmath>

namespace levee::policy {

namespace {
constexpr std::size_t max_label_bytes = 64;
}

TopFlows::TopFlows(std::size_t entries, Duration half_life, TimePoint now)
    : max_entries_(std::max<std::size_t>(entries, 1)), half_life_(half_life), last_decay_(now) {
  ids_.reserve(max_entries_);
  counts_.reserve(max_entries_);
  entries_.reserve(max_entries_);
}

TopFlows::Entry* TopFlows::find(FlowId id) {
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (ids_[i] == id) return &entries_[i];
  }
  return nullptr;
}

TopFlows::Entry& TopFlows::arrived(FlowId id, std::string_view label) {
  std::size_t at = 0;
  while (at < ids_.size() && ids_[at] != id) ++at;
  if (at == ids_.size() && ids_.size() < max_entries_) {
    ids_.push_back(id);
    counts_.push_back(0);
    entries_.push_back(Entry{id, std::string(label.substr(0, max_label_bytes))});
  } else if (at == ids_.size()) {
    at = static_cast<std::size_t>(std::min_element(counts_.begin(), counts_.end()) - counts_.begin());
    // Space-Saving: the newcomer inherits the count it replaces (an overestimate bounded by
    // it); its fates start from zero.
    Entry& entry = entries_[at];
    ids_[at] = id;
    entry.id = id;
    entry.label.assign(label.substr(0, max_label_bytes));
    entry.admitted = 0;
    entry.shed = 0;
  }
  counts_[at] += 1;
  entries_[at].requests = counts_[at];
  return entries_[at];
}

void TopFlows::admitted(FlowId id) {
  admitted_total_ += 1;
  if (Entry* entry = find(id)) entry->admitted += 1;
}

void TopFlows::shed(FlowId id) {
  if (Entry* entry = find(id)) entry->shed += 1;
}

void TopFlows::decay(TimePoint now) {
  const Duration elapsed = now - last_decay_;
  if (elapsed < half_life_ / 8) return;
  last_decay_ = now;
  const double factor = std::exp2(-to_seconds(elapsed) / to_seconds(half_life_));
  for (double& count : counts_) count *= factor;
  for (Entry& entry : entries_) {
    entry.requests *= factor;
    entry.admitted *= factor;
    entry.shed *= factor;
  }
  admitted_total_ *= factor;
}

std::vector<TopFlows::Entry> TopFlows::heaviest(std::size_t count) const {
  std::vector<Entry> sorted = entries_;
  std::sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) { return a.requests > b.requests; });
  if (sorted.size() > count) sorted.resize(count);
  return sorted;
}

}  // namespace levee::policy
