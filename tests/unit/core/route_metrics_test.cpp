// RouteMetrics: requests counted in per-worker shards reach the prometheus series at publish(),
// each once, in the bucket prometheus::Histogram::Observe would have put them in.

#include "proxy/observability/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <string_view>
#include <vector>

namespace levee::observability {
namespace {

class RouteMetricsTest : public ::testing::Test {
 protected:
  prometheus::ClientMetric duration() {
    for (const auto& family : registry_.Collect())
      if (family.name == "levee_request_duration_seconds")
        for (const auto& metric : family.metric)
          for (const auto& label : metric.label)
            if (label.name == "route" && label.value == "api") return metric;
    ADD_FAILURE() << "no duration series for route api";
    return {};
  }
  double responses(std::string_view code_class, std::string_view route = "api") {
    for (const auto& family : registry_.Collect()) {
      if (family.name != "levee_requests_total") continue;
      for (const auto& metric : family.metric) {
        bool route_matches = false, class_matches = false;
        for (const auto& label : metric.label) {
          route_matches = route_matches || (label.name == "route" && label.value == route);
          class_matches = class_matches || (label.name == "code_class" && label.value == code_class);
        }
        if (route_matches && class_matches) return metric.counter.value;
      }
    }
    ADD_FAILURE() << "no requests series for route " << route << ", class " << code_class;
    return -1;
  }

  prometheus::Registry registry_;
  ProxyMetrics metrics_{registry_, {"api"}, {"backend"}, {}, {}, /*workers=*/2};
};

TEST_F(RouteMetricsTest, NothingShowsBeforePublish) {
  metrics_.route(0).record(0, 200, 0.003);
  EXPECT_EQ(responses("2xx"), 0);
  EXPECT_EQ(duration().histogram.sample_count, 0u);
}

TEST_F(RouteMetricsTest, BothWorkersCountsArePublishedOnce) {
  metrics_.route(0).record(0, 200, 0.003);
  metrics_.route(0).record(1, 204, 0.0005);  // on a bound: counted in that bucket (le)
  metrics_.route(0).record(1, 503, 45);      // past the last bound: +Inf only
  metrics_.route(0).record(0, 42, 0.001);    // no status class: "other"
  metrics_.publish();
  EXPECT_EQ(responses("2xx"), 2);
  EXPECT_EQ(responses("5xx"), 1);
  EXPECT_EQ(responses("other"), 1);
  auto histogram = duration().histogram;
  EXPECT_EQ(histogram.sample_count, 4u);
  EXPECT_NEAR(histogram.sample_sum, 45.0045, 1e-9);
  ASSERT_EQ(histogram.bucket.size(), 16u);
  EXPECT_EQ(histogram.bucket[0].cumulative_count, 1u);   // le 0.0005
  EXPECT_EQ(histogram.bucket[1].cumulative_count, 2u);   // le 0.001
  EXPECT_EQ(histogram.bucket[3].cumulative_count, 3u);   // le 0.005
  EXPECT_EQ(histogram.bucket[14].cumulative_count, 3u);  // le 30
  EXPECT_EQ(histogram.bucket[15].cumulative_count, 4u);  // +Inf

  // A second scrape with nothing new adds nothing; new requests add only themselves.
  metrics_.publish();
  EXPECT_EQ(responses("2xx"), 2);
  metrics_.route(0).record(1, 200, 0.02);
  metrics_.publish();
  EXPECT_EQ(responses("2xx"), 3);
  histogram = duration().histogram;
  EXPECT_EQ(histogram.sample_count, 5u);
  EXPECT_EQ(histogram.bucket[5].cumulative_count, 4u);  // le 0.025
}

TEST_F(RouteMetricsTest, UnroutedRequestsHaveTheirOwnSeries) {
  metrics_.unrouted().record(1, 404, 0.0001);
  metrics_.publish();
  EXPECT_EQ(responses("4xx"), 0);
  EXPECT_EQ(responses("4xx", "_unrouted"), 1);
}

}  // namespace
}  // namespace levee::observability
