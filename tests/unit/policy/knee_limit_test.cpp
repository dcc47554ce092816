// KneeLimit against a synthetic saturated service: `workers` slots, a log-normal service time,
// and every permit in use, so that a limit above the slots queues inside the service and
// latency grows in proportion (R = S x max(1, N / W)). Completions come at the rate Little's
// law gives (N / R), on a manual clock.

#include "proxy/policy/knee_limit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "proxy/policy/limit.h"
#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

struct ServiceSpec {
  std::uint32_t workers = 4;
  Duration service_time = 10ms;
  double fail_share = 0;          // fast 503s (1 ms, dropped)
  Duration patience = Duration::max();  // callers abandon an exchange slower than this
  std::uint32_t demand = 1'000'000;     // in-flight the callers can fill (below the limit: app-limited)
};

class SaturatedService {
 public:
  explicit SaturatedService(Limit& limit) : limit_(limit) {}

  // Runs the service for `length`; returns the limit in force every 100 ms.
  std::vector<std::uint32_t> run(Duration length, const ServiceSpec& spec) {
    std::vector<std::uint32_t> trace;
    const TimePoint end = clock_.now() + length;
    TimePoint next_trace = clock_.now();
    while (clock_.now() < end) {
      const std::uint32_t in_flight = std::min(limit_.current(), spec.demand);
      Sample sample;
      sample.in_flight = in_flight;
      const double queue = std::max(1.0, static_cast<double>(in_flight) / spec.workers);
      const double seconds = to_seconds(spec.service_time) * std::exp(0.1 * normal_(rng_)) * queue;
      sample.rtt = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
      if (chance(spec.fail_share)) {
        sample.rtt = 1ms;
        sample.dropped = true;
      } else if (sample.rtt > spec.patience) {
        sample.rtt = spec.patience;
        sample.dropped = true;
        sample.abandoned = true;
      }
      // N requests in flight finish at N / R per second.
      sample.now = clock_.advance(std::max<Duration>(sample.rtt / std::max<std::uint32_t>(in_flight, 1), 1us));
      limit_.on_sample(sample);
      while (clock_.now() >= next_trace) {
        trace.push_back(limit_.current());
        next_trace += 100ms;
      }
    }
    return trace;
  }

 private:
  bool chance(double p) { return p > 0 && uniform_(rng_) < p; }

  Limit& limit_;
  testing::ManualClock clock_;
  std::mt19937_64 rng_{7};
  std::normal_distribution<double> normal_{0.0, 1.0};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

LimitSettings knee_settings(std::uint32_t initial) {
  LimitSettings s;
  s.kind = LimitKind::knee;
  s.initial = initial;
  return s;
}

// The share of a trace's points outside [lo, hi].
double share_outside(const std::vector<std::uint32_t>& trace, std::uint32_t lo, std::uint32_t hi) {
  const auto outside = std::count_if(trace.begin(), trace.end(), [&](std::uint32_t l) { return l < lo || l > hi; });
  return static_cast<double>(outside) / static_cast<double>(trace.size());
}

TEST(KneeLimit, FindsASmallServiceFromFarAboveAndHoldsIt) {
  KneeLimit limit(knee_settings(32), 32);
  SaturatedService service(limit);
  service.run(3s, {});
  EXPECT_GE(limit.learned(), 4u);
  EXPECT_LE(limit.learned(), 5u);
  // Sustained overload: the limit stays within [W, 1.3 W] -- probes included.
  const auto trace = service.run(60s, {});
  EXPECT_GE(*std::min_element(trace.begin(), trace.end()), 4u);
  EXPECT_LE(*std::max_element(trace.begin(), trace.end()), 5u);
}

TEST(KneeLimit, ASlowerServiceIsNotAQueue) {
  KneeLimit limit(knee_settings(32), 32);
  SaturatedService service(limit);
  service.run(5s, {});
  ASSERT_GE(limit.learned(), 4u);
  ASSERT_LE(limit.learned(), 5u);
  ServiceSpec slower;
  slower.service_time = 30ms;
  const auto trace = service.run(10s, slower);
  // A down-probe may check for a phase at one step below; the learned limit never moves down.
  EXPECT_GE(limit.learned(), 4u);
  EXPECT_LE(limit.learned(), 5u);
  EXPECT_LT(share_outside(trace, 4, 5), 0.05);
  EXPECT_GT(*limit.reference(), 25ms);  // the slower latency is the new reference
}

TEST(KneeLimit, FollowsAServiceThatLosesHalfItsSlots) {
  KneeLimit limit(knee_settings(32), 32);
  SaturatedService service(limit);
  ServiceSpec eight;
  eight.workers = 8;
  service.run(5s, eight);
  ASSERT_GE(limit.learned(), 8u);
  ASSERT_LE(limit.learned(), 10u);
  const auto trace = service.run(5s, {});
  EXPECT_GE(limit.learned(), 4u);
  EXPECT_LE(limit.learned(), 5u);
  const std::vector<std::uint32_t> last_second(trace.end() - 10, trace.end());
  EXPECT_EQ(share_outside(last_second, 3, 5), 0.0);
}

TEST(KneeLimit, FindsSlotsThatWereAdded) {
  KneeLimit limit(knee_settings(32), 32);
  SaturatedService service(limit);
  service.run(5s, {});
  ASSERT_LE(limit.learned(), 5u);
  ServiceSpec eight;
  eight.workers = 8;
  service.run(5s, eight);
  EXPECT_GE(limit.learned(), 8u);
  EXPECT_LE(limit.learned(), 10u);
}

TEST(KneeLimit, FindsALargeServiceFromItsInitialValueWithinSeconds) {
  KneeLimit limit(knee_settings(32), 32);
  SaturatedService service(limit);
  ServiceSpec large;
  large.workers = 200;
  large.service_time = 50ms;
  service.run(10s, large);
  EXPECT_GE(limit.learned(), 190u);
  EXPECT_LE(limit.learned(), 260u);
}

TEST(KneeLimit, FastFailuresNeverGrowIt) {
  KneeLimit limit(knee_settings(32), 32);
  SaturatedService service(limit);
  const auto before = service.run(5s, {});
  ASSERT_LE(limit.learned(), 5u);
  ServiceSpec failing;
  failing.fail_share = 0.5;
  const auto after = service.run(20s, failing);
  EXPECT_LE(*std::max_element(after.begin(), after.end()),
            *std::max_element(before.end() - 20, before.end()));
}

TEST(KneeLimit, AbandonedExchangesShrinkItOnlyWhereThatHelps) {
  // Callers give up at 500 ms. A service that takes 2 s whatever the limit: every exchange is
  // abandoned, a smaller limit would not help, and the limit stays at the service's slots.
  {
    KneeLimit limit(knee_settings(32), 32);
    SaturatedService service(limit);
    service.run(5s, {});
    ASSERT_LE(limit.learned(), 5u);
    ServiceSpec hopeless;
    hopeless.service_time = 2s;
    hopeless.patience = 500ms;
    service.run(30s, hopeless);
    EXPECT_GE(limit.learned(), 4u);
  }
  // 32 in flight on 4 slots of 100 ms: 800 ms in the service's queue, so every exchange is
  // abandoned -- and a smaller limit brings them back under the callers' patience.
  {
    KneeLimit limit(knee_settings(32), 32);
    SaturatedService service(limit);
    ServiceSpec queueing;
    queueing.service_time = 100ms;
    queueing.patience = 500ms;
    service.run(15s, queueing);
    EXPECT_GE(limit.learned(), 4u);
    EXPECT_LE(limit.learned(), 5u);
  }
}

TEST(KneeLimit, AnAppLimitedGroupLearnsNothing) {
  KneeLimit limit(knee_settings(32), 32);
  SaturatedService service(limit);
  ServiceSpec calm;
  calm.demand = 2;  // the callers never fill the limit
  service.run(30s, calm);
  EXPECT_EQ(limit.learned(), 32u);
  EXPECT_EQ(limit.current(), 32u);
}

TEST(KneeLimit, StaysWithinItsBounds) {
  LimitSettings s = knee_settings(10);
  s.min = 6;
  s.max = 12;
  {
    KneeLimit limit(s, 10);
    SaturatedService service(limit);
    const auto trace = service.run(20s, {});  // 4 slots: it would go to 4
    EXPECT_GE(*std::min_element(trace.begin(), trace.end()), 6u);
  }
  {
    KneeLimit limit(s, 10);
    SaturatedService service(limit);
    ServiceSpec large;
    large.workers = 100;
    const auto trace = service.run(20s, large);
    EXPECT_LE(*std::max_element(trace.begin(), trace.end()), 12u);
    EXPECT_EQ(limit.learned(), 12u);
  }
}

TEST(KneeLimit, IsWhatMakeLimitBuildsForKindKnee) {
  auto limit = make_limit(knee_settings(20));
  ASSERT_NE(dynamic_cast<KneeLimit*>(limit.get()), nullptr);
  EXPECT_EQ(limit->current(), 20u);
  EXPECT_EQ(make_limit(knee_settings(20), 7)->learned(), 7u);
}

}  // namespace
}  // namespace levee::policy
