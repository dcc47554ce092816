#include "bench/limits/sim/acceptance.h"

#include <fmt/format.h>

#include "bench/limits/sim/metrics.h"

namespace levee::sim {
namespace {

std::string seconds(double s) { return s == never ? std::string("never") : fmt::format("{:.1f} s", s); }

class Checker {
 public:
  explicit Checker(const RunLookup& runs) : runs_(runs) {}

  const Run* run(std::string_view scenario, std::string_view algorithm) const { return runs_(scenario, algorithm); }

  void add(const Run& run, bool passed, std::string text) {
    checks_.push_back(Check{run.scenario, run.algorithm, std::move(text), passed});
  }
  std::vector<Check> take() { return std::move(checks_); }

 private:
  const RunLookup& runs_;
  std::vector<Check> checks_;
};

void slowdown(Checker& c, std::string_view algorithm) {
  const Run* run = c.run("slowdown-x3", algorithm);
  const Run* fixed = c.run("slowdown-x3", "fixed-W");
  if (run == nullptr || fixed == nullptr) return;
  // The slowdown holds over [10 s, 25 s): judged from 2 s after the change.
  const double ratio = goodput_rate(*run, 12, 25) / goodput_rate(*fixed, 12, 25);
  c.add(*run, ratio >= 0.95, fmt::format("goodput 2 s after the slowdown {:.0f}% of fixed-W's (>= 95%)", ratio * 100));
  const double recovery = settle_time(*run, 25, 1.0, 0.9);
  c.add(*run, recovery <= 0.5, fmt::format("recovery after the slowdown {} (<= 0.5 s)", seconds(recovery)));
}

void overload(Checker& c, std::string_view algorithm) {
  const Run* run = c.run("overload-3x", algorithm);
  if (run == nullptr) return;
  const LimitRange r = limit_range(*run, 10, 185);  // the 3 minutes at 3x, after 5 s to find W
  c.add(*run, r.min >= 4 && r.max <= 5,
        fmt::format("limit during 3 min at 3x in [{}, {}] (within [W, 1.3 W] = [4, 5.2])", r.min, r.max));
}

void large(Checker& c, std::string_view algorithm) {
  const Run* run = c.run("large-service", algorithm);
  if (run == nullptr) return;
  const double found = follow_time(*run, 0, 0.95 * 200, 1.3 * 200, 2);
  c.add(*run, found <= 10,
        fmt::format("200 slots found (limit in [190, 260] for 2 s) after {} (<= 10 s)", seconds(found)));
}

void capacity(Checker& c, std::string_view algorithm, std::string_view scenario, double at, double workers) {
  const Run* run = c.run(scenario, algorithm);
  if (run == nullptr) return;
  const double followed = follow_time(*run, at, workers, 1.3 * workers, 2);
  c.add(*run, followed <= 5,
        fmt::format("limit in [W, 1.3 W] = [{:.0f}, {:.1f}] for 2 s after {} (<= 5 s)", workers, 1.3 * workers,
                    seconds(followed)));
}

void failing(Checker& c, std::string_view algorithm) {
  const Run* run = c.run("failing-service", algorithm);
  if (run == nullptr) return;
  const LimitRange before = limit_range(*run, 8, 10);
  const LimitRange after = limit_range(*run, 10, 30);
  c.add(*run, after.max <= before.max,
        fmt::format("limit max with 50% fast 503s {} (<= {} before them)", after.max, before.max));
}

void misset(Checker& c, std::string_view algorithm, double overload_bar, double recovery_bar) {
  const Run* run = c.run("misset-200", algorithm);
  if (run == nullptr) return;
  const double share = goodput_share(*run, 5, 25);
  c.add(*run, share >= overload_bar,
        fmt::format("goodput during the overload {:.0f}% of C (>= {:.0f}%)", share * 100, overload_bar * 100));
  const double recovery = settle_time(*run, 25, 1.0, 0.9);
  c.add(*run, recovery <= recovery_bar, fmt::format("recovery {} (<= {:.0f} s)", seconds(recovery), recovery_bar));
  const double tail = goodput_share(*run, 25 + std::min(recovery, 5.0) + 1, 45);
  c.add(*run, tail >= 0.95, fmt::format("no metastable tail: goodput after recovery {:.0f}% (>= 95%)", tail * 100));
}

}  // namespace

std::vector<Check> acceptance_checks(const RunLookup& runs, std::string_view adaptive) {
  Checker c(runs);
  slowdown(c, adaptive);
  overload(c, adaptive);
  large(c, adaptive);
  capacity(c, adaptive, "capacity-halved", 10, 4);
  capacity(c, adaptive, "capacity-doubled", 12, 8);
  failing(c, adaptive);
  failing(c, "gradient");
  misset(c, adaptive, 0.95, 1);
  misset(c, "gradient", 0.95, 1);
  misset(c, "fixed-200", 0.8, 3);
  return c.take();
}

}  // namespace levee::sim
