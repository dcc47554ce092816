#include "schedule/schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "schedule/arrivals.h"

namespace levee::load {
namespace {

using namespace std::chrono_literals;

TEST(Schedule, ConstantRateSpacesArrivalsEvenly) {
  Schedule s({{1s, 1000, 1000}});
  EXPECT_DOUBLE_EQ(s.total_count(), 1000);
  EXPECT_EQ(s.time_of(0), Nanos(0));
  EXPECT_EQ(s.time_of(1), Nanos(1ms));
  EXPECT_EQ(s.time_of(999), Nanos(999ms));
  EXPECT_FALSE(s.time_of(1000));
}

TEST(Schedule, NoDriftOverALongPhase) {
  // One hour at 10,000 req/s: the last arrival is where i / rate says, to the nanosecond.
  Schedule s({{3600s, 10000, 10000}});
  for (double i : {1.0, 12345.0, 9'999'999.0, 35'999'999.0}) {
    auto t = s.time_of(i);
    ASSERT_TRUE(t);
    EXPECT_NEAR(static_cast<double>(t->count()), i * 1e5, 1.0) << "arrival " << i;
  }
}

TEST(Schedule, RampCountIsTheAreaUnderTheRate) {
  // 0 -> 1000 req/s over 10 s: 5000 arrivals, a quarter of them in the first half.
  Schedule s({{10s, 0, 1000}});
  EXPECT_DOUBLE_EQ(s.total_count(), 5000);
  EXPECT_DOUBLE_EQ(s.count_at(5s), 1250);
  EXPECT_DOUBLE_EQ(s.rate_at(5s), 500);
  // The inverse: arrival 1250 is due at 5 s.
  EXPECT_NEAR(static_cast<double>(s.time_of(1250)->count()), 5e9, 10);
}

TEST(Schedule, InverseMatchesCountAcrossPhasesAndRamps) {
  Schedule s({{2s, 500, 500}, {3s, 500, 2500}, {4s, 2500, 2500}, {3s, 2500, 500}, {1s, 0, 0}, {2s, 500, 500}});
  for (double u = 0; u < s.total_count(); u += 97.3) {
    auto t = s.time_of(u);
    ASSERT_TRUE(t) << u;
    EXPECT_NEAR(s.count_at(*t), u, 0.01) << "u=" << u;
  }
}

TEST(Schedule, ZeroRatePhaseHasNoArrivals) {
  Schedule s({{1s, 100, 100}, {1s, 0, 0}, {1s, 100, 100}});
  EXPECT_DOUBLE_EQ(s.total_count(), 200);
  EXPECT_EQ(s.time_of(100), Nanos(2s));
}

TEST(Schedule, ArrivalsAreNonDecreasing) {
  Schedule s({{1s, 100, 5000}, {1s, 5000, 10}});
  Nanos last{-1};
  for (double u = 0; u < s.total_count(); u += 1) {
    Nanos t = *s.time_of(u);
    EXPECT_GE(t, last);
    last = t;
  }
}

TEST(Arrivals, UniformThreadsTogetherDeliverTheSchedule) {
  Schedule s({{1s, 1000, 3000}});
  std::vector<Nanos> all;
  for (unsigned k = 0; k < 3; ++k) {
    ArrivalSequence seq(s, ArrivalKind::uniform, k, 3, 1);
    while (auto t = seq.next()) all.push_back(*t);
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 2000u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], *s.time_of(static_cast<double>(i)));
}

TEST(Arrivals, PoissonDeliversTheRateOnAverage) {
  Schedule s({{100s, 1000, 1000}});
  std::size_t n = 0;
  for (unsigned k = 0; k < 4; ++k) {
    ArrivalSequence seq(s, ArrivalKind::poisson, k, 4, 7);
    while (seq.next()) ++n;
  }
  EXPECT_NEAR(static_cast<double>(n), 100000, 1500);  // ~5 standard deviations
}

}  // namespace
}  // namespace levee::load
