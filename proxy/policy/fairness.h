#pragma once
// The flow side of one admission group's fair admission, apart from the queue: which flow a
// request counts against (its own once its key is known, else the one new keys share), what
// the configuration says about it (weight, cap, name), and what /state and metrics show (the
// heaviest flows lately, counts per named flow). The fair order itself is AdmissionQueue's;
// Admission decides with both.
// Thread safety: none; Admission uses it under its mutex.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "proxy/policy/fairness_settings.h"
#include "proxy/policy/flow_table.h"
#include "proxy/policy/recent_keys.h"
#include "proxy/policy/shed_reason.h"
#include "proxy/policy/snapshot.h"
#include "proxy/policy/ticket.h"
#include "proxy/policy/top_flows.h"

namespace levee::policy {

class Fairness {
 public:
  Fairness(const FairnessSettings& settings, TimePoint now);

  bool enabled() const { return settings_.enabled(); }
  // New settings (reload). Memory of recent keys survives unless its size changed; counts of
  // named flows survive unless the list changed.
  void reconfigure(const FairnessSettings& settings, TimePoint now);

  // The flow a request counts against: a named flow's or a known key's own, the shared flow
  // of keyless requests, or -- for a key not seen recently -- the flow new keys share.
  FlowId resolve(const Ticket& ticket);
  FlowTraits traits(const Ticket& ticket) const;

  // Fates, for /state and metrics. At arrival (the ticket is at hand) and later by flow id.
  TopFlows::Entry& arrived(FlowId flow, const Ticket& ticket);
  void admitted_at_arrival(TopFlows::Entry& entry, std::uint16_t named);
  void shed_at_arrival(TopFlows::Entry& entry, std::uint16_t named);
  void granted(FlowId flow, std::uint16_t named);
  void shed_queued(FlowId flow, std::uint16_t named);

  // Dry run: why this flow's request would have been shed, judged against its proportional
  // share of the limit (weight / total weight of the active flows) while the group is full.
  std::optional<ShedReason> dry_run_reason(const Flow& flow, std::uint64_t total_weight,
                                           std::uint32_t limit, bool group_full) const;

  void on_tick(TimePoint now) { top_->decay(now); }
  void fill(Snapshot& snapshot, const FlowTable& flows) const;

 private:
  struct NamedCounts {
    std::uint64_t admitted = 0;
    std::uint64_t shed = 0;
  };

  std::uint16_t named_index(std::uint16_t named) const {
    return named < named_.size() ? named : 0;
  }

  FairnessSettings settings_;
  std::unique_ptr<RecentKeys> recent_;
  std::unique_ptr<TopFlows> top_;
  std::vector<NamedCounts> named_;  // [0] = flows that are not named
};

}  // namespace levee::policy
