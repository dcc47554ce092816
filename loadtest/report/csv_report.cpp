// The CSV reports: one row per 100 ms bucket of the run (--csv), and one row per bucket and flow
// entry (--flows-csv). Fields are numbers, and in the flows CSV the flow's name as the profile
// spells it (not quoted).
#include <fmt/format.h>

#include "report/report_data.h"

namespace levee::load {
namespace {

double ms(Nanos d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

std::string csv_series(const Series& series) {
  std::string out =
      "t_s,offered,goodput,late,failed,attempts,sent,retries,shed,timeouts,errors,not_sent,p50_ms,p90_ms,p99_ms,max_ms,"
      "lag_p99_ms\n";
  for (std::size_t i = 0; i < series.buckets.size(); ++i) {
    const SlotStats& s = series.buckets[i];
    const Counters& c = s.counters;
    out += fmt::format("{:.3f},{},{},{},{},{},{},{},{},{},{},{},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f}\n",
                       to_seconds(series.bucket * static_cast<std::int64_t>(i)), c.offered, c.goodput, c.late, c.failed,
                       c.attempts, c.sent, c.retries, c.of(Outcome::shed), c.of(Outcome::timeout), c.errors(),
                       c.of(Outcome::not_sent), ms(s.latency.percentile(0.5)), ms(s.latency.percentile(0.9)),
                       ms(s.latency.percentile(0.99)), ms(s.latency.max()), ms(s.lag.percentile(0.99)));
  }
  return out;
}

std::string csv_flow_series(const Series& series, const FlowAnalysis& flows) {
  std::string out = "t_s,flow,offered,goodput,late,failed,attempts,sent,retries,shed,timeouts,errors,not_sent\n";
  for (std::size_t i = 0; i < series.buckets.size(); ++i) {
    for (const FlowEntry& f : flows.entries) {
      const Counters c = i < f.series.size() ? f.series[i] : Counters{};
      out += fmt::format("{:.3f},{},{},{},{},{},{},{},{},{},{},{},{}\n", to_seconds(series.bucket * static_cast<std::int64_t>(i)),
                         f.name, c.offered, c.goodput, c.late, c.failed, c.attempts, c.sent, c.retries, c.of(Outcome::shed),
                         c.of(Outcome::timeout), c.errors(), c.of(Outcome::not_sent));
    }
  }
  return out;
}

}  // namespace levee::load
