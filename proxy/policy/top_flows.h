#pragma once
// The heaviest flows of a group lately -- by requests sent, whatever became of them -- for
// /state: a Space-Saving sketch (Metwally, Agrawal
// and El Abbadi, 2005) of a fixed number of entries. A flow not in the sketch takes the place
// of the lightest entry and inherits its count, so any flow with more than 1/entries of the
// traffic is always in it, whatever the number of keys; counts decay by half every
// `half_life`, so /state shows who is heavy now, not who was heavy yesterday.
// Thread safety: none; Admission uses it under its mutex.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/policy/clock.h"
#include "proxy/policy/ticket.h"

namespace levee::policy {

class TopFlows {
 public:
  struct Entry {
    FlowId id = 0;
    std::string label;
    double requests = 0;  // what ranks the entry (Space-Saving's count)
    double admitted = 0;
    double shed = 0;
  };

  TopFlows(std::size_t entries, Duration half_life, TimePoint now);

  // A request of the flow arrived: its entry, kept or newly taken, valid until the next call.
  Entry& arrived(FlowId id, std::string_view label);
  // Later fates of a request (a waiter granted or shed): counted if the flow is still listed.
  void admitted(FlowId id);
  void shed(FlowId id);
  void note_admitted(Entry& entry) {
    entry.admitted += 1;
    admitted_total_ += 1;
  }
  // Ages the counts; call periodically (the tick).
  void decay(TimePoint now);

  // The `count` heaviest entries, heaviest first.
  std::vector<Entry> heaviest(std::size_t count) const;
  // Admissions counted (decayed), for shares.
  double admitted_total() const { return admitted_total_; }

 private:
  Entry* find(FlowId id);

  std::size_t max_entries_;
  // Scanned on every arrival, so kept apart from the labels: ids to find a flow, counts to
  // find the lightest (a copy of entries_[i].requests).
  std::vector<FlowId> ids_;
  std::vector<double> counts_;
  std::vector<Entry> entries_;
  Duration half_life_;
  TimePoint last_decay_;
  double admitted_total_ = 0;
};

}  // namespace levee::policy
