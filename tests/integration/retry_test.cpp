// levee's own retries to the service (routes[].retry): what is retried, what never is, and
// that the retry budget has the last word. Each test starts its own backend and levee, so the
// backend's request counter and levee's metrics belong to that test alone.

#include "support/stack.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace levee::testing {
namespace {

// Retries on everything, with a tiny back-off and a generous budget unless a test says otherwise.
std::string retry_routes(const std::string& budget = "        ratio: 1\n        min_per_second: 100\n",
                         const std::string& extra = "") {
  return "routes:\n"
         "  - name: retrying\n"
         "    path_prefix: /\n"
         "    upstream: backend\n"
         "    retry:\n"
         "      attempts: 3\n"
         "      retry_on: [connect_failure, reset, timeout, status]\n"
         "      statuses: [502, 503, 504]\n"
         "      backoff_base: 1ms\n"
         "      backoff_max: 5ms\n" +
         extra + "      budget:\n" + budget;
}

// prometheus-cpp writes labels in name order.
std::string retry_series(const std::string& name, const std::string& label) {
  return label < "route" ? name + "{" + label + ",route=\"retrying\"}" : name + "{route=\"retrying\"," + label + "}";
}

class Retry : public ::testing::Test {
 protected:
  void start(const std::string& routes_yaml, const std::string& upstream_address = "",
             const std::string& top_level_extra = "") {
    backend_ = start_backend({"--workers", "2", "--service-time", "1ms"});
    const std::string address =
        upstream_address.empty() ? "127.0.0.1:" + std::to_string(backend_.port) : upstream_address;
    levee_ = start_levee(basic_config(address, "", "    response_timeout: 2s\n") + routes_yaml + top_level_extra);
  }
  long backend_requests() const {
    const auto stats = fetch(backend_.port, "GET", "/stats").body;
    const auto at = stats.find("\"requests_total\":");
    return at == std::string::npos ? -1 : std::atol(stats.c_str() + at + 17);
  }
  // Backend requests `send` caused (the second /stats call counts itself once).
  template <class F>
  long backend_requests_during(F&& send) {
    const long before = backend_requests();
    send();
    return backend_requests() - before - 1;
  }
  double attempts(const std::string& try_label) const {
    return metric_value(levee_.admin_port, retry_series("levee_upstream_attempts_total", "try=\"" + try_label + "\""));
  }
  // levee counts the outcome just after the response went out, so the client can be faster:
  // poll, bounded, until the counter reaches `at_least`.
  double outcome(const std::string& name, double at_least = 1) const {
    const auto series = retry_series("levee_retries_total", "outcome=\"" + name + "\"");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    double value = metric_value(levee_.admin_port, series);
    while (value < at_least && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      value = metric_value(levee_.admin_port, series);
    }
    return value;
  }

  Backend backend_;
  Levee levee_;
};

TEST_F(Retry, RetryableStatusIsRetriedUntilAttemptsRunOut) {
  start(retry_routes());
  Response response;
  EXPECT_EQ(backend_requests_during([&] { response = fetch(levee_.port, "GET", "/status?code=502"); }), 3);
  EXPECT_EQ(response.status, 502u);  // the last real answer, relayed
  EXPECT_EQ(response.body, "status 502\n");
  EXPECT_EQ(attempts("1"), 1);
  EXPECT_EQ(attempts("2"), 1);
  EXPECT_EQ(attempts("3+"), 1);
  EXPECT_EQ(outcome("exhausted"), 1);
}

TEST_F(Retry, AccessLogShowsAttemptsAndOutcome) {
  start(retry_routes(), "", "logging:\n  access_log: \"-\"\n");
  EXPECT_EQ(fetch(levee_.port, "GET", "/status?code=502").status, 502u);
  const auto line = levee_.process->wait_for_line("\"GET /status?code=502 HTTP/1.1\"", std::chrono::seconds(5));
  ASSERT_TRUE(line.has_value()) << levee_.process->output();
  EXPECT_NE(line->find("attempts=3 retry=exhausted"), std::string::npos) << *line;
}

TEST_F(Retry, SuccessIsNotRetried) {
  start(retry_routes());
  Response response;
  EXPECT_EQ(backend_requests_during([&] { response = fetch(levee_.port, "GET", "/"); }), 1);
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(attempts("2"), 0);
}

TEST_F(Retry, PostWithoutIdempotencyKeyIsNotRetried) {
  start(retry_routes());
  Response response;
  EXPECT_EQ(backend_requests_during([&] { response = fetch(levee_.port, "POST", "/status?code=502", "payload"); }),
            1);
  EXPECT_EQ(response.status, 502u);
  EXPECT_EQ(outcome("not_retryable"), 1);
}

TEST_F(Retry, PostWithIdempotencyKeyIsRetriedWithItsBody) {
  start(retry_routes());
  Response response;
  EXPECT_EQ(backend_requests_during([&] {
              response = fetch(levee_.port, "POST", "/status?code=502", "payload", {{"Idempotency-Key", "k-1"}});
            }),
            3);
  EXPECT_EQ(response.status, 502u);
  // The buffered body reaches the service whole on a retry: /echo answers with its length.
  response = fetch(levee_.port, "POST", "/echo", std::string(1000, 'x'), {{"Idempotency-Key", "k-2"}});
  EXPECT_EQ(response.status, 200u);
  EXPECT_NE(response.body.find("\"bytes\":1000"), std::string::npos) << response.body;
}

TEST_F(Retry, ExpectContinueBodyIsBufferedForRetries) {
  start(retry_routes());
  TestClient client(levee_.port);
  const long sent = backend_requests_during([&] {
    client.send_raw("PUT /status?code=502 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                    "Expect: 100-continue\r\n\r\n");
    const auto interim = client.read_response();
    ASSERT_EQ(interim.status, 100u);
    client.send_raw("hello");
    EXPECT_EQ(client.read_response().status, 502u);
  });
  EXPECT_EQ(sent, 3);
}

TEST_F(Retry, LargeBodyIsStreamedAndNotRetried) {
  start(retry_routes("        ratio: 1\n        min_per_second: 100\n", "      max_buffered_body: 16\n"));
  Response response;
  EXPECT_EQ(backend_requests_during([&] {
              response = fetch(levee_.port, "PUT", "/status?code=502", std::string(100, 'x'));
            }),
            1);
  EXPECT_EQ(response.status, 502u);
  EXPECT_EQ(outcome("body_too_large"), 1);
}

TEST_F(Retry, ResetBeforeAnswerIsRetried) {
  start(retry_routes());
  Response response;
  EXPECT_EQ(backend_requests_during([&] { response = fetch(levee_.port, "GET", "/close"); }), 3);
  EXPECT_EQ(response.status, 502u);
  EXPECT_EQ(attempts("3+"), 1);
}

TEST_F(Retry, TimeoutIsRetriedPerTry) {
  start(retry_routes("        ratio: 1\n        min_per_second: 100\n", "      per_try_timeout: 100ms\n"));
  Response response;
  EXPECT_EQ(backend_requests_during([&] { response = fetch(levee_.port, "GET", "/slow?ms=1000"); }), 3);
  EXPECT_EQ(response.status, 504u);
}

TEST_F(Retry, ConnectFailureIsRetried) {
  // A port that was free a moment ago: connects are refused.
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor probe(context, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto dead_port = probe.local_endpoint().port();
  probe.close();
  start(retry_routes(), "127.0.0.1:" + std::to_string(dead_port));
  const auto response = fetch(levee_.port, "GET", "/");
  EXPECT_EQ(response.status, 502u);
  EXPECT_EQ(attempts("1"), 1);
  EXPECT_EQ(attempts("2"), 1);
  EXPECT_EQ(attempts("3+"), 1);
  EXPECT_EQ(outcome("exhausted"), 1);
}

TEST_F(Retry, OverloadSignalIsPassedOnNotRetried) {
  start(retry_routes());
  Response response;
  EXPECT_EQ(backend_requests_during([&] { response = fetch(levee_.port, "GET", "/status?code=503"); }), 1);
  EXPECT_EQ(response.status, 503u);
  EXPECT_EQ(response.header("Retry-After"), "1");
  EXPECT_EQ(outcome("overload_signal"), 1);
}

TEST_F(Retry, EmptyBudgetAllowsNoRetry) {
  start(retry_routes("        ratio: 0\n        min_per_second: 0\n"));
  Response response;
  EXPECT_EQ(backend_requests_during([&] { response = fetch(levee_.port, "GET", "/status?code=502"); }), 1);
  EXPECT_EQ(response.status, 502u);
  EXPECT_EQ(outcome("budget_denied"), 1);
  EXPECT_EQ(metric_value(levee_.admin_port, "levee_retry_budget_tokens{route=\"retrying\"}"), 0);
}

}  // namespace
}  // namespace levee::testing
