// Each limit algorithm against synthetic latency series: a service with `workers` slots and a
// fixed service time, whose latency grows with the queue once the limit exceeds its slots.
// Time is data in a Sample, so no clock is needed: the tests step a TimePoint themselves.

#include "proxy/policy/aimd_limit.h"
#include "proxy/policy/fixed_limit.h"
#include "proxy/policy/gradient_limit.h"
#include "proxy/policy/limit.h"
#include "proxy/policy/windowed_limit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

const TimePoint start = TimePoint{} + 1h;

// The latency a request sees at `in_flight` concurrency on a service with `workers` slots:
// beyond the slots, requests queue inside the service and latency grows in proportion.
Duration service_latency(std::uint32_t in_flight, std::uint32_t workers, Duration service_time) {
  const double queueing = std::max(1.0, static_cast<double>(in_flight) / workers);
  return std::chrono::duration_cast<Duration>(service_time * queueing);
}

// Feeds `limit` one sample per 100 ms window from a saturated service (every permit in use)
// for `windows` windows; returns the limit after each.
std::vector<std::uint32_t> saturate(Limit& limit, TimePoint& now, int windows, std::uint32_t workers,
                                    Duration service_time) {
  std::vector<std::uint32_t> trace;
  for (int i = 0; i < windows; ++i) {
    now += 100ms;
    const std::uint32_t in_flight = limit.current();
    limit.on_sample({service_latency(in_flight, workers, service_time), in_flight, false, now});
    trace.push_back(limit.current());
  }
  return trace;
}

// The gradient algorithm alone; the baseline probes have tests of their own.
LimitSettings gradient_settings(std::uint32_t initial) {
  LimitSettings s;
  s.kind = LimitKind::gradient;
  s.initial = initial;
  s.gradient.probe_interval = Duration::zero();
  return s;
}

TEST(FixedLimit, IsTheThresholdWhateverTheSamplesSay) {
  FixedLimit limit(7);
  limit.on_sample({10s, 7, true, start});
  limit.on_sample({1ms, 7, false, start + 1s});
  EXPECT_EQ(limit.current(), 7u);
  EXPECT_EQ(FixedLimit(0).current(), 1u);  // a limit of zero would refuse everything
}

TEST(MakeLimit, BuildsEachKindAndClampsTheStartingPoint) {
  LimitSettings s;
  s.kind = LimitKind::fixed;
  s.initial = 12;
  EXPECT_EQ(make_limit(s)->current(), 12u);
  EXPECT_EQ(make_limit(s, 5)->current(), 5u);  // a reconfigured group keeps what it had
  s.kind = LimitKind::aimd;
  s.min = 4;
  s.max = 20;
  EXPECT_EQ(make_limit(s, 2)->current(), 4u);
  EXPECT_EQ(make_limit(s, 50)->current(), 20u);
  s.kind = LimitKind::gradient;
  auto gradient = make_limit(s);
  ASSERT_NE(dynamic_cast<WindowedLimit*>(gradient.get()), nullptr);
  EXPECT_EQ(gradient->current(), 12u);
}

TEST(AimdLimit, GrowsAboutOnePerRoundTripAtFullConcurrency) {
  LimitSettings s;
  s.initial = 10;
  AimdLimit limit(s, 10);
  TimePoint now = start;
  // One limit-worth of good samples taken with every permit in use: +1.
  for (int i = 0; i < 10; ++i) limit.on_sample({5ms, 10, false, now += 1ms});
  EXPECT_EQ(limit.current(), 10u);  // 10 + ten times 1/limit, a shade under 11 as it grows
  for (int i = 0; i < 2; ++i) limit.on_sample({5ms, 10, false, now += 1ms});
  EXPECT_EQ(limit.current(), 11u);
}

TEST(AimdLimit, AnIdleGroupSaysNothingAboutCapacity) {
  LimitSettings s;
  AimdLimit limit(s, 10);
  TimePoint now = start;
  for (int i = 0; i < 1000; ++i) limit.on_sample({5ms, 4, false, now += 1ms});  // under half
  EXPECT_EQ(limit.current(), 10u);
}

TEST(AimdLimit, BacksOffOncePerRoundTripOnDropsAndSlowSuccesses) {
  LimitSettings s;
  s.min = 3;
  s.aimd.backoff_ratio = 0.5;
  s.aimd.timeout = 1s;
  AimdLimit limit(s, 40);
  TimePoint now = start + 10s;
  limit.on_sample({100ms, 40, true, now});
  EXPECT_EQ(limit.current(), 20u);
  // A burst of drops from requests that started before that decrease: caused by the old
  // limit, so they do not punish the new one.
  for (int i = 0; i < 30; ++i) limit.on_sample({200ms, 40, true, now += 1ms});
  EXPECT_EQ(limit.current(), 20u);
  // A drop that started after the decrease does count. A success slower than the timeout is a
  // drop too: its caller has probably gone.
  now += 2s;
  limit.on_sample({1500ms, 20, false, now});
  EXPECT_EQ(limit.current(), 10u);
  for (int round = 0; round < 10; ++round) limit.on_sample({10ms, 10, true, now += 1s});
  EXPECT_EQ(limit.current(), 3u);  // never under min
}

TEST(AimdLimit, RecoversAfterTheErrorsStop) {
  LimitSettings s;
  s.aimd.backoff_ratio = 0.5;
  AimdLimit limit(s, 40);
  TimePoint now = start;
  limit.on_sample({10ms, 40, true, now});
  ASSERT_EQ(limit.current(), 20u);
  for (int i = 0; i < 2000 && limit.current() < 30; ++i) limit.on_sample({10ms, limit.current(), false, now += 1ms});
  EXPECT_EQ(limit.current(), 30u);
}

TEST(GradientLimit, SettlesJustAboveASmallServicesSlots) {
  LimitSettings s = gradient_settings(32);
  s.gradient.probe_interval = 60s;  // the default: the baseline is measured, not averaged
  GradientLimit limit(s, 32);
  TimePoint now = start;
  // The baseline is learned while the service is calm (a few of the 32 permits in use), then a
  // spike saturates it for 20 s; what counts is where the limit sits in the last 10 s.
  for (int i = 0; i < 20; ++i) limit.on_sample({10ms, 3, false, now += 100ms});
  ASSERT_EQ(limit.current(), 32u);
  saturate(limit, now, 100, 4, 10ms);
  const auto settled = saturate(limit, now, 100, 4, 10ms);
  for (const auto value : settled) {
    EXPECT_GE(value, 4u);  // never starves the service's slots...
    EXPECT_LE(value, 5u);  // ...and queues at most one request per slot inside it (W x 1.3)
  }
  EXPECT_EQ(limit.baseline(), 10ms);  // sustained overload does not drag it up
}

TEST(GradientLimit, GrowsFromItsStartToALargeServicesSlotsWithinSeconds) {
  GradientLimit limit(gradient_settings(32), 32);
  TimePoint now = start;
  const auto trace = saturate(limit, now, 150, 200, 10ms);  // 15 s
  const auto reached = std::find_if(trace.begin(), trace.end(), [](std::uint32_t l) { return l >= 200; });
  EXPECT_LT(reached - trace.begin(), 100) << "took more than 10 s to find 200 slots";
  EXPECT_GE(trace.back(), 200u);
  EXPECT_LE(trace.back(), 260u);
}

TEST(GradientLimit, BacksOffWhenTheServiceSlowsDownAtMostHalvingPerWindow) {
  GradientLimit limit(gradient_settings(40), 40);
  TimePoint now = start;
  for (int i = 0; i < 20; ++i) limit.on_sample({10ms, 40, false, now += 100ms});
  ASSERT_GE(limit.current(), 40u);
  // The service loses most of its capacity: latency at the current limit jumps eightfold.
  std::uint32_t previous = limit.current();
  for (int i = 0; i < 40; ++i) {
    limit.on_sample({80ms, limit.current(), false, now += 100ms});
    EXPECT_GE(limit.current(), previous * 9 / 10) << "one window may not cut more than smoothing x half";
    previous = limit.current();
  }
  EXPECT_LE(limit.current(), 3u);  // down to min within 4 s
}

TEST(GradientLimit, RecoversWhenLatencyReturnsToTheBaseline) {
  GradientLimit limit(gradient_settings(40), 40);
  TimePoint now = start;
  for (int i = 0; i < 20; ++i) limit.on_sample({10ms, 40, false, now += 100ms});
  for (int i = 0; i < 40; ++i) limit.on_sample({80ms, limit.current(), false, now += 100ms});
  ASSERT_LE(limit.current(), 3u);
  for (int i = 0; i < 60; ++i) limit.on_sample({10ms, limit.current(), false, now += 100ms});
  EXPECT_GE(limit.current(), 40u);  // six seconds of calm latency at full use: back where it was
}

TEST(GradientLimit, AppLimitedSamplesDoNotMoveIt) {
  GradientLimit limit(gradient_settings(40), 40);
  TimePoint now = start;
  for (int i = 0; i < 20; ++i) limit.on_sample({10ms, 40, false, now += 100ms});
  const auto before = limit.current();
  // A mostly idle group: whether latency is calm or awful, it says nothing about capacity.
  for (int i = 0; i < 50; ++i) limit.on_sample({10ms, 5, false, now += 100ms});
  for (int i = 0; i < 50; ++i) limit.on_sample({500ms, 5, false, now += 100ms});
  EXPECT_EQ(limit.current(), before);
}

TEST(GradientLimit, StaysWithinItsBounds) {
  LimitSettings s = gradient_settings(10);
  s.min = 6;
  s.max = 12;
  GradientLimit limit(s, 10);
  TimePoint now = start;
  for (int i = 0; i < 100; ++i) limit.on_sample({10ms, limit.current(), false, now += 100ms});
  EXPECT_EQ(limit.current(), 12u);
  for (int i = 0; i < 100; ++i) limit.on_sample({1s, limit.current(), false, now += 100ms});
  EXPECT_EQ(limit.current(), 6u);
}

LimitSettings probing_settings(std::uint32_t initial) {
  LimitSettings s = gradient_settings(initial);
  s.gradient.probe_interval = 60s;
  return s;
}

TEST(GradientProbe, TheFirstSamplePinsTheLimitToMinUntilThreeWindowsRanThere) {
  GradientLimit limit(probing_settings(40), 40);
  TimePoint now = start;
  // A group that starts congested: the first windows queue at eight times the real latency.
  limit.on_sample({80ms, 40, false, now += 100ms});
  EXPECT_TRUE(limit.probing());
  EXPECT_EQ(limit.current(), 3u);
  EXPECT_EQ(limit.learned(), 40u);  // what a reload carries over: not the pin
  limit.on_sample({80ms, 40, false, now += 100ms});  // still draining what was admitted before
  for (int i = 0; i < 2; ++i) limit.on_sample({10ms + i * 1ms, 3, false, now += 100ms});
  EXPECT_TRUE(limit.probing());
  limit.on_sample({12ms, 3, false, now += 100ms});
  EXPECT_FALSE(limit.probing());
  EXPECT_EQ(limit.baseline(), 10ms);  // the lowest clean window, not the congested start
  EXPECT_EQ(limit.current(), 40u);    // the limit it had, restored
}

TEST(GradientProbe, ACalmGroupNeverProbesAndFollowsItsOwnLatency) {
  GradientLimit limit(probing_settings(40), 40);
  TimePoint now = start;
  for (int i = 0; i < 3000; ++i) {  // five minutes using a few of its 40 permits
    limit.on_sample({i < 1500 ? 10ms : 12ms, 5, false, now += 100ms});
    ASSERT_FALSE(limit.probing()) << "window " << i;
  }
  EXPECT_EQ(limit.current(), 40u);
  EXPECT_GT(limit.baseline(), 11500us);  // the service got slower; the average followed it
}

TEST(GradientProbe, AProbeThatNeverGetsCleanWindowsEndsAndKeepsTheBaseline) {
  GradientLimit limit(probing_settings(40), 40);
  TimePoint now = start;
  for (int i = 0; i < 3; ++i) limit.on_sample({10ms, 3, false, now += 100ms});
  ASSERT_FALSE(limit.probing());
  now += 60s;
  int windows = 0;
  for (; windows < 100; ++windows) {
    limit.on_sample({500ms, 40, false, now += 100ms});  // in-flight never falls to min
    if (!limit.probing()) break;
  }
  EXPECT_EQ(windows + 1, 20);
  EXPECT_EQ(limit.baseline(), 10ms);
}

TEST(GradientProbe, ReLearnsAServiceThatBecameSlowerAtTheNextProbe) {
  GradientLimit limit(probing_settings(10), 10);
  TimePoint now = start;
  saturate(limit, now, 300, 8, 10ms);
  ASSERT_EQ(limit.baseline(), 10ms);
  // The service now takes 20 ms a request. Until the next probe, the limit reads that as
  // queueing and holds back; the probe at 60 s learns the new latency and it grows back.
  const auto trace = saturate(limit, now, 700, 8, 20ms);
  EXPECT_EQ(limit.baseline(), 20ms);
  EXPECT_GE(trace.back(), 8u);
  EXPECT_LE(trace.back(), 10u);
}

TEST(GradientProbe, KeepsSustainedOverloadFromCreepingTheLimitUp) {
  // Three minutes at 3x a 4-slot service. Without probes every loaded window pulls the
  // averaged baseline up, and the limit follows it; with them it stays just above the slots.
  GradientLimit averaged(gradient_settings(32), 32);
  GradientLimit measured(probing_settings(32), 32);
  TimePoint now_a = start;
  TimePoint now_m = start;
  saturate(averaged, now_a, 1800, 4, 10ms);
  const auto trace = saturate(measured, now_m, 1800, 4, 10ms);
  EXPECT_GE(averaged.current(), 7u);
  EXPECT_LE(*std::max_element(trace.begin() + 100, trace.end()), 5u);
}

// Records what a decorated limit is fed.
class RecordingLimit final : public Limit {
 public:
  std::uint32_t current() const override { return 9; }
  void on_sample(const Sample& sample) override { samples.push_back(sample); }
  std::vector<Sample> samples;
};

// A WindowedLimit of 100 ms windows around a RecordingLimit, and what that saw.
struct RecordedWindows {
  explicit RecordedWindows(std::uint32_t min_samples) {
    auto inner = std::make_unique<RecordingLimit>();
    recorder = inner.get();
    limit = std::make_unique<WindowedLimit>(std::move(inner), 100ms, min_samples);
  }
  const std::vector<Sample>& seen() const { return recorder->samples; }
  RecordingLimit* recorder;
  std::unique_ptr<WindowedLimit> limit;
};

TEST(WindowedLimit, FeedsOneAggregateSamplePerWindow) {
  RecordedWindows windows(3);
  auto& limit = *windows.limit;
  const auto& seen = windows.seen();
  TimePoint now = start;
  limit.on_sample({10ms, 2, false, now});
  limit.on_sample({20ms, 7, false, now += 40ms});
  limit.on_sample({30ms, 4, true, now += 40ms});
  EXPECT_TRUE(seen.empty());  // the window is still open
  limit.on_sample({40ms, 1, false, now += 40ms});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].rtt, Duration{70ms} / 3);  // the mean of the latencies: a failure is none
  EXPECT_EQ(seen[0].in_flight, 7u);  // the most that were in use
  EXPECT_TRUE(seen[0].dropped);  // a quarter of the window failed
  EXPECT_FALSE(seen[0].abandoned);
  EXPECT_EQ(seen[0].now, now);
  EXPECT_EQ(limit.current(), 9u);
}

TEST(WindowedLimit, AQuietWindowWaitsForSamplesThenClosesWithWhatItHas) {
  RecordedWindows windows(10);
  auto& limit = *windows.limit;
  const auto& seen = windows.seen();
  TimePoint now = start;
  limit.on_sample({10ms, 1, false, now});
  limit.on_sample({30ms, 1, false, now += 500ms});  // past the window, too few samples
  EXPECT_TRUE(seen.empty());
  limit.on_sample({50ms, 1, false, now += 500ms});  // 10 windows: close with three
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].rtt, 30ms);
}

}  // namespace
}  // namespace levee::policy
