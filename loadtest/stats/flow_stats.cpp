#include "stats/flow_stats.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace levee::load {
namespace {

std::optional<double> ratio(std::uint64_t a, std::uint64_t b) {
  if (b == 0) return std::nullopt;
  return static_cast<double>(a) / static_cast<double>(b);
}

std::optional<double> percentile(const Histogram& h, double q) {
  if (h.empty()) return std::nullopt;
  return to_seconds(h.percentile(q));
}

// The flow: metrics of one subject ("b", "light", "light-17", "b@flood") over `seconds`.
void add_metrics(std::vector<Metric>& out, const std::string& subject, const SlotStats& s, double seconds,
                 std::optional<double> worst, std::optional<double> capacity) {
  const Counters& c = s.counters;
  const auto own = ratio(c.goodput, c.offered);
  auto value_of = [&](std::string_view name) -> std::optional<double> {
    if (name == "goodput_ratio") return own;
    if (name == "worst_goodput_ratio") return worst ? worst : own;
    if (name == "offered") return static_cast<double>(c.offered);
    if (name == "goodput") return static_cast<double>(c.goodput);
    if (name == "goodput_per_s") return seconds > 0 ? std::optional<double>(static_cast<double>(c.goodput) / seconds) : std::nullopt;
    if (name == "goodput_per_capacity") {
      if (seconds <= 0 || !capacity || *capacity <= 0) return std::nullopt;
      return static_cast<double>(c.goodput) / seconds / *capacity;
    }
    if (name == "late_ratio") return ratio(c.late, c.offered);
    if (name == "shed_ratio") return ratio(c.of(Outcome::shed), c.attempts);
    if (name == "timeout_ratio") return ratio(c.of(Outcome::timeout), c.attempts);
    if (name == "error_ratio") return ratio(c.errors(), c.attempts);
    if (name == "p50") return percentile(s.latency, 0.5);
    if (name == "p90") return percentile(s.latency, 0.9);
    if (name == "p95") return percentile(s.latency, 0.95);
    if (name == "p99") return percentile(s.latency, 0.99);
    return std::nullopt;
  };
  for (const Metric& m : known_flow_metrics()) out.push_back({"flow:" + subject + "." + m.name, m.kind, value_of(m.name)});
}

std::size_t phase_of(const std::vector<PhaseInfo>& phases, std::int64_t t) {
  for (std::size_t i = 0; i < phases.size(); ++i) {
    if (t < phases[i].end.count()) return i;
  }
  return phases.empty() ? 0 : phases.size() - 1;
}

double seconds_of(const std::vector<PhaseInfo>& phases) {
  return phases.empty() ? 0 : to_seconds(phases.back().end - phases.front().start);
}

}  // namespace

FlowAnalysis analyze_flows(std::span<const ThreadRecords> records, const FlowRun& run) {
  const auto& flows = run.flows;
  const auto& groups = run.groups;
  const Nanos bucket = run.bucket;
  const Nanos run_duration = run.duration;
  // Every flow on its own first: its total and its phases.
  std::vector<SlotStats> totals(flows.size());
  std::vector<std::vector<SlotStats>> phase_stats(flows.size());
  for (std::size_t f = 0; f < flows.size(); ++f) phase_stats[f].resize(std::max<std::size_t>(flows[f].phases.size(), 1));
  std::vector<std::size_t> entry_of(flows.size(), 0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t m = 0; m < groups[g].count; ++m) entry_of[groups[g].first + m] = g;
  }
  const std::int64_t width = std::max<std::int64_t>(bucket.count(), 1);
  const auto buckets = static_cast<std::size_t>((run_duration.count() + width - 1) / width);
  std::vector<std::vector<Counters>> series(groups.size(), std::vector<Counters>(buckets));
  auto series_slot = [&](std::size_t flow, std::int64_t t) -> Counters& {
    auto& s = series[entry_of[flow]];
    const auto i = static_cast<std::size_t>(std::max<std::int64_t>(t, 0) / width);
    if (i >= s.size()) s.resize(i + 1);
    return s[i];
  };
  std::vector<SlotStats> bands(std::max<std::size_t>(run.bands.size(), 1));
  for (const ThreadRecords& thread : records) {
    for (const UserRecord& u : thread.users) {
      if (u.flow >= flows.size()) continue;
      file_user(bands[phase_of(run.bands, u.arrival_ns)], u);
      file_user(totals[u.flow], u);
      file_user(phase_stats[u.flow][phase_of(flows[u.flow].phases, u.arrival_ns)], u);
      file_user(series_slot(u.flow, u.arrival_ns), u);
    }
    for (const AttemptRecord& a : thread.attempts) {
      const std::uint16_t flow = thread.users[a.user].flow;
      if (flow >= flows.size()) continue;
      file_attempt(bands[phase_of(run.bands, a.intended_ns)], a);
      file_attempt(totals[flow], a);
      file_attempt(phase_stats[flow][phase_of(flows[flow].phases, a.intended_ns)], a);
      file_attempt(series_slot(flow, a.intended_ns), a);
    }
  }

  FlowAnalysis out;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const FlowGroup& group = groups[g];
    FlowEntry entry;
    entry.name = group.name;
    entry.members = group.count;
    entry.counted = group.counted;
    entry.phases = flows[group.first].phases;
    entry.phase_stats.resize(phase_stats[group.first].size());
    entry.series = std::move(series[g]);
    const double seconds = seconds_of(entry.phases);
    for (std::size_t m = group.first; m < group.first + group.count; ++m) {
      entry.stats.merge(totals[m]);
      for (std::size_t p = 0; p < entry.phase_stats.size(); ++p) entry.phase_stats[p].merge(phase_stats[m][p]);
      const auto r = ratio(totals[m].counters.goodput, totals[m].counters.offered);
      if (r && (!entry.worst_goodput_ratio || *r < *entry.worst_goodput_ratio)) {
        entry.worst_goodput_ratio = r;
        entry.worst = flows[m].name;
      }
      if (group.counted) {
        add_metrics(out.metrics, flows[m].name, totals[m], seconds, std::nullopt, run.capacity);
        for (std::size_t p = 0; p < flows[m].phases.size(); ++p)
          add_metrics(out.metrics, flows[m].name + "@" + flows[m].phases[p].name, phase_stats[m][p],
                      to_seconds(flows[m].phases[p].end - flows[m].phases[p].start), std::nullopt, run.capacity);
      }
    }
    add_metrics(out.metrics, entry.name, entry.stats, seconds, entry.worst_goodput_ratio, run.capacity);
    entry.phase_worst.resize(entry.phases.size());
    entry.phase_worst_goodput_ratio.resize(entry.phases.size());
    for (std::size_t p = 0; p < entry.phases.size(); ++p) {
      // A group's worst member within a phase.
      auto& worst = entry.phase_worst_goodput_ratio[p];
      for (std::size_t m = group.first; m < group.first + group.count; ++m) {
        const auto r = ratio(phase_stats[m][p].counters.goodput, phase_stats[m][p].counters.offered);
        if (r && (!worst || *r < *worst)) {
          worst = r;
          entry.phase_worst[p] = flows[m].name;
        }
      }
      add_metrics(out.metrics, entry.name + "@" + entry.phases[p].name, entry.phase_stats[p],
                  to_seconds(entry.phases[p].end - entry.phases[p].start), worst, run.capacity);
    }
    out.entries.push_back(std::move(entry));
  }
  SlotStats all;
  for (const SlotStats& band : bands) all.merge(band);
  add_metrics(out.metrics, std::string(all_flows), all, to_seconds(run_duration), std::nullopt, run.capacity);
  for (std::size_t b = 0; b < run.bands.size(); ++b)
    add_metrics(out.metrics, fmt::format("{}@{}", all_flows, run.bands[b].name), bands[b],
                to_seconds(run.bands[b].end - run.bands[b].start), std::nullopt, run.capacity);
  return out;
}

}  // namespace levee::load
