#include "proxy/policy/fairness.h"

#include <string>

namespace levee::policy {

namespace {

// How fast /state forgets a flow's weight: heavy now, not heavy a minute ago.
constexpr Duration top_flows_half_life = std::chrono::seconds(10);
// The sketch keeps more entries than it shows, so the ones shown are reliably the heaviest.
std::size_t sketch_entries(std::uint32_t shown) { return 2 * std::size_t{shown} + 16; }

constexpr std::string_view no_key_label = "(no key)";
constexpr std::string_view new_keys_label = "(new keys)";

}  // namespace

Fairness::Fairness(const FairnessSettings& settings, TimePoint now)
    : settings_(settings),
      recent_(std::make_unique<RecentKeys>(settings.recent_keys)),
      top_(std::make_unique<TopFlows>(sketch_entries(settings.top_flows), top_flows_half_life, now)),
      named_(settings.flows.size() + 1) {}

void Fairness::reconfigure(const FairnessSettings& settings, TimePoint now) {
  if (settings.recent_keys != settings_.recent_keys) recent_ = std::make_unique<RecentKeys>(settings.recent_keys);
  if (settings.top_flows != settings_.top_flows || settings.key != settings_.key) {
    top_ = std::make_unique<TopFlows>(sketch_entries(settings.top_flows), top_flows_half_life, now);
  }
  if (settings.flows != settings_.flows) named_.assign(settings.flows.size() + 1, NamedCounts{});
  settings_ = settings;
}

FlowId Fairness::resolve(const Ticket& ticket) {
  if (ticket.flow == no_flow_key || ticket.named_flow != 0) return ticket.flow;
  return recent_->seen_before(ticket.flow) ? ticket.flow : new_keys_flow;
}

FlowTraits Fairness::traits(const Ticket& ticket) const {
  FlowTraits traits;
  if (ticket.named_flow != 0 && ticket.named_flow <= settings_.flows.size()) {
    const NamedFlowSettings& named = settings_.flows[ticket.named_flow - 1];
    traits.weight = named.weight;
    traits.cap = named.cap;
    traits.named = ticket.named_flow;
  }
  return traits;
}

TopFlows::Entry& Fairness::arrived(FlowId flow, const Ticket& ticket) {
  std::string_view label = ticket.flow_label;
  if (flow == no_flow_key) label = no_key_label;
  else if (flow == new_keys_flow) label = new_keys_label;
  else if (ticket.named_flow != 0 && ticket.named_flow <= settings_.flows.size()) label = settings_.flows[ticket.named_flow - 1].name;
  return top_->arrived(flow, label);
}

void Fairness::admitted_at_arrival(TopFlows::Entry& entry, std::uint16_t named) {
  top_->note_admitted(entry);
  ++named_[named_index(named)].admitted;
}

void Fairness::shed_at_arrival(TopFlows::Entry& entry, std::uint16_t named) {
  entry.shed += 1;
  ++named_[named_index(named)].shed;
}

void Fairness::granted(FlowId flow, std::uint16_t named) {
  top_->admitted(flow);
  ++named_[named_index(named)].admitted;
}

void Fairness::shed_queued(FlowId flow, std::uint16_t named) {
  top_->shed(flow);
  ++named_[named_index(named)].shed;
}

std::optional<ShedReason> Fairness::dry_run_reason(const Flow& flow, std::uint64_t total_weight,
                                                   std::uint32_t limit, bool group_full) const {
  if (flow.traits.cap != 0 && flow.in_flight >= flow.traits.cap) return ShedReason::flow_cap;
  // in_flight / weight > limit / total_weight, in integers.
  if (group_full && total_weight > 1 &&
      std::uint64_t{flow.in_flight} * total_weight > std::uint64_t{limit} * flow.traits.weight) {
    return ShedReason::fair_share;
  }
  return std::nullopt;
}

void Fairness::fill(Snapshot& snapshot, const FlowTable& flows) const {
  snapshot.fair = enabled();
  if (!snapshot.fair) return;
  snapshot.flows_active = static_cast<std::uint32_t>(flows.size());
  const double total = top_->admitted_total();
  for (const TopFlows::Entry& entry : top_->heaviest(settings_.top_flows)) {
    FlowStats stats;
    stats.label = entry.label;
    stats.admitted = static_cast<std::uint64_t>(entry.admitted + 0.5);
    stats.shed = static_cast<std::uint64_t>(entry.shed + 0.5);
    stats.share = total > 0 ? entry.admitted / total : 0;
    if (const std::uint32_t slot = flows.find(entry.id); slot != FlowTable::npos) {
      stats.in_flight = flows[slot].in_flight;
      stats.queued = flows[slot].waiting;
    }
    snapshot.top_flows.push_back(std::move(stats));
  }
  snapshot.named_flows.resize(named_.size());
  for (std::size_t i = 0; i < named_.size(); ++i) {
    FlowStats& stats = snapshot.named_flows[i];
    stats.label = i == 0 ? std::string("other") : settings_.flows[i - 1].name;
    stats.admitted = named_[i].admitted;
    stats.shed = named_[i].shed;
  }
  flows.for_each([&](std::uint32_t, const Flow& flow) {
    FlowStats& stats = snapshot.named_flows[named_index(flow.traits.named)];
    stats.in_flight += flow.in_flight;
    stats.queued += flow.waiting;
  });
}

}  // namespace levee::policy
