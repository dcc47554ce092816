// Faults of the service and operations under load, with real processes: the service killed,
// hanging, resetting connections; levee reloaded and drained while clients keep sending.
// Load comes from a few client threads with a bounded number of requests each; every wait is a
// poll with a deadline; time bounds are generous (a noisy 2-core machine, sanitizer builds).

#include "support/stack.h"
#include "support/waits.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <optional>
#include <thread>

namespace levee::testing {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

double metric(const Levee& levee, const std::string& series) { return metric_value(levee.admin_port, series); }

std::string errors_series(const std::string& kind) { return "levee_errors_total{kind=\"" + kind + "\"}"; }

// One request as a client thread saw it.
struct Outcome {
  Clock::time_point start;
  Clock::time_point end;
  unsigned status = 0;       // 0: no response
  bool connected = false;    // false: the connect itself failed (refused)
  bool is_2xx() const { return status >= 200 && status < 300; }
};

// `threads` clients, each sending GET `target` on a keep-alive connection, up to
// `max_per_thread` times, `pause` apart. A connection levee asks to close is replaced, unless
// `reconnect` is false: then that client stops (a drain test must not open new connections).
// Each thread writes only its own log; the counters let the test watch progress.
class LoadLoop {
 public:
  struct Options {
    std::string target = "/";
    int threads = 3;
    int max_per_thread = 2000;
    std::chrono::milliseconds pause = 5ms;
    bool reconnect = true;
  };

  LoadLoop(unsigned short port, Options options) : port_(port), options_(std::move(options)) {
    logs_.resize(static_cast<std::size_t>(options_.threads));
    for (auto& log : logs_) threads_.emplace_back([this, &log] { run(log); });
  }
  ~LoadLoop() { stop(); }
  LoadLoop(const LoadLoop&) = delete;
  LoadLoop& operator=(const LoadLoop&) = delete;

  int ok() const { return ok_.load(); }
  int not_ok() const { return not_ok_.load(); }

  // Stops and joins the clients; returns every outcome.
  std::vector<Outcome> stop() {
    stop_ = true;
    for (auto& thread : threads_)
      if (thread.joinable()) thread.join();
    std::vector<Outcome> all;
    for (const auto& log : logs_) all.insert(all.end(), log.begin(), log.end());
    return all;
  }

 private:
  void run(std::vector<Outcome>& log) {
    std::optional<TestClient> client;
    for (int i = 0; i < options_.max_per_thread && !stop_; ++i) {
      Outcome outcome;
      outcome.start = Clock::now();
      try {
        if (!client) client.emplace(port_, 3s);  // a hang shows up as a failure, not a stuck test
        outcome.connected = true;
        const auto response = client->request("GET", options_.target);
        outcome.status = response.status;
        if (!response.keep_alive) client.reset();
      } catch (const std::exception&) {
        client.reset();
      }
      outcome.end = Clock::now();
      log.push_back(outcome);
      (outcome.is_2xx() ? ok_ : not_ok_).fetch_add(1);
      if (!client && !options_.reconnect) break;
      std::this_thread::sleep_for(options_.pause);  // pacing, not synchronisation
    }
  }

  unsigned short port_;
  Options options_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0};
  std::atomic<int> not_ok_{0};
  std::vector<std::vector<Outcome>> logs_;
  std::vector<std::thread> threads_;
};

std::chrono::milliseconds longest(const std::vector<Outcome>& outcomes) {
  Clock::duration worst{};
  for (const auto& o : outcomes) worst = std::max(worst, o.end - o.start);
  return std::chrono::duration_cast<std::chrono::milliseconds>(worst);
}

int count_if(const std::vector<Outcome>& outcomes, const std::function<bool(const Outcome&)>& what) {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), what));
}

std::unique_ptr<ChildProcess> start_backend_on(unsigned short port, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"backend", "--listen", "127.0.0.1:" + std::to_string(port), "--io-threads", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(levee_load_binary(), args);
}

std::string fixed_limit(unsigned limit) {
  return "admission:\n  limit: {kind: fixed, initial: " + std::to_string(limit) +
         "}\n  queue: {max_length: 0, max_wait: 1s}\n  collapse: {enabled: false}\n  critical_reserved_share: 0\n";
}

const std::string admission_in_flight = R"(levee_admission_in_flight{group="default"})";

TEST(FaultServiceKilled, LeveeAnswers502FastAndGoodputReturnsWhenTheServiceIsBack) {
  auto backend = start_backend({"--workers", "4", "--service-time", "2ms"});
  const unsigned short port = backend.port;
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(port)));
  LoadLoop load(levee.port, {.target = "/work", .threads = 3});
  ASSERT_TRUE(eventually([&] { return load.ok() >= 20; }));

  backend.process->signal(SIGKILL);
  ASSERT_TRUE(backend.process->wait(5s).has_value());
  const auto killed = Clock::now();
  // The outage must be seen by the clients, not just survived by levee.
  const int failed_before = load.not_ok();
  ASSERT_TRUE(eventually([&] { return load.not_ok() >= failed_before + 30; }));
  EXPECT_TRUE(levee.process->running());
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/healthz").status, 200u);
  const auto first_outage_answer = fetch(levee.port, "GET", "/work");
  EXPECT_EQ(first_outage_answer.status, 502u);
  EXPECT_FALSE(first_outage_answer.header("levee-error").empty());

  const auto restarting = Clock::now();  // from here a 2xx is right again
  auto restarted = start_backend_on(port, {"--workers", "4", "--service-time", "2ms"});
  ASSERT_TRUE(restarted->wait_for_line("listening on ", 10s)) << restarted->output();
  const auto back = Clock::now();
  // Goodput returns at once: no breaker to wait out, no stale pooled connection to trip on.
  std::optional<Clock::duration> recovery;
  // The bound is a backstop for a busy machine (TSan on two cores); the measured first 2xx
  // is printed below, a few ms in a Release build.
  while (!recovery && Clock::now() - back < 5s) {
    if (fetch(levee.port, "GET", "/work").status == 200) recovery = Clock::now() - back;
  }
  ASSERT_TRUE(recovery.has_value()) << "no 2xx within 5 s of the service's return";
  for (int i = 0; i < 20; ++i) ASSERT_EQ(fetch(levee.port, "GET", "/work").status, 200u) << "request " << i;
  const int ok_at_recovery = load.ok();
  ASSERT_TRUE(eventually([&] { return load.ok() >= ok_at_recovery + 20; }));
  const auto outcomes = load.stop();

  // Every client got an answer, and a fast one, through the kill, the outage and the return.
  EXPECT_EQ(count_if(outcomes, [](const Outcome& o) { return o.status == 0; }), 0);
  EXPECT_LT(longest(outcomes), 2500ms);  // a hang lasts the clients' 3 s timeout; answers take ms
  // Sent after the kill and before the restart: a gateway error, never a hang or a 2xx.
  const auto during_outage = [&](const Outcome& o) { return o.start > killed && o.end < restarting; };
  EXPECT_GE(count_if(outcomes, during_outage), 20);
  EXPECT_EQ(count_if(outcomes, [&](const Outcome& o) { return during_outage(o) && o.status != 502 && o.status != 503; }), 0);
  EXPECT_GT(metric(levee, errors_series("connect_refused")), 0);
  EXPECT_TRUE(levee.process->running());
  std::cout << "[ measured ] outage answers: " << count_if(outcomes, during_outage) << ", slowest answer "
            << longest(outcomes).count() << " ms, first 2xx "
            << std::chrono::duration_cast<std::chrono::milliseconds>(*recovery).count()
            << " ms after the service was back\n";
}

// An upstream that accepts connections and never answers: a hung service.
class HangingService {
 public:
  HangingService() : acceptor_(context_, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept_next();
    thread_ = std::thread([this] { context_.run(); });
  }
  ~HangingService() {
    context_.stop();
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const { return accepted_.load(); }

 private:
  void accept_next() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      ++accepted_;
      if (held_.size() < 64) held_.push_back(std::move(socket));  // held open, never read
      accept_next();
    });
  }

  asio::io_context context_;
  asio::ip::tcp::acceptor acceptor_;
  std::vector<asio::ip::tcp::socket> held_;  // touched only on the service's thread
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

TEST(FaultServiceHangs, TimeoutsFireAndReleaseTheirPermitsWhileShedsStayFast) {
  HangingService hung;
  constexpr auto response_timeout = 1500ms;
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(hung.port()), "",
                                        "    response_timeout: 1500ms\n") +
                           fixed_limit(2));
  // Two rounds: if a timed-out request kept its permit, the second round would be shed whole.
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto sent = Clock::now();
    auto first = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/hang-1"); });
    auto second = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/hang-2"); });
    ASSERT_TRUE(eventually([&] { return metric(levee, admission_in_flight) == 2; }));
    for (int i = 0; i < 10; ++i) {
      const auto before = Clock::now();
      const auto shed = fetch(levee.port, "GET", "/");
      EXPECT_EQ(shed.status, 429u);
      EXPECT_EQ(shed.header("levee-shed"), "over_limit");
      EXPECT_LT(Clock::now() - before, 3s);  // not queued behind the hung ones (1.5 s each)
    }
    for (auto* pending : {&first, &second}) {
      const auto answer = pending->get();
      EXPECT_EQ(answer.status, 504u);
      const auto waited = Clock::now() - sent;
      EXPECT_GE(waited, response_timeout - 100ms);  // not before its bound...
      EXPECT_LT(waited, response_timeout + 3000ms);  // ...and not long after it
      std::cout << "[ measured ] 504 after " << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                << " ms (response_timeout 1500 ms)\n";
    }
    ASSERT_TRUE(eventually([&] { return metric(levee, admission_in_flight) == 0; }));
  }
  EXPECT_EQ(metric(levee, errors_series("upstream_timeout")), 4);
  EXPECT_EQ(metric(levee, R"(levee_shed_total{group="default",priority="default",reason="over_limit"})"), 20);
  // One upstream connection per admitted request; the shed ones never reached the service.
  EXPECT_TRUE(eventually([&] { return hung.accepted() == 4; })) << hung.accepted();
  EXPECT_TRUE(levee.process->running());
}

TEST(FaultServiceResets, ResetsAreCountedAs502AndThePoolKeepsServing) {
  auto backend = start_backend({"--workers", "4", "--service-time", "1ms", "--reset-ratio", "0.3"});
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  constexpr int threads = 3;
  LoadLoop load(levee.port, {.target = "/work", .threads = threads, .max_per_thread = 60, .pause = 1ms});
  ASSERT_TRUE(eventually([&] { return load.ok() + load.not_ok() == threads * 60; }, 10s));
  const auto outcomes = load.stop();

  const int resets_seen = count_if(outcomes, [](const Outcome& o) { return o.status == 502; });
  EXPECT_EQ(count_if(outcomes, [](const Outcome& o) { return o.status != 200 && o.status != 502; }), 0);
  EXPECT_GT(resets_seen, 0);
  EXPECT_GT(count_if(outcomes, [](const Outcome& o) { return o.status == 200; }), resets_seen);
  // Each 502 is counted once, under its kind, and under no other.
  EXPECT_EQ(metric(levee, errors_series("upstream_reset")), resets_seen);
  for (const char* other : {"connect_refused", "upstream_timeout", "upstream_protocol", "pool_exhausted"})
    EXPECT_EQ(metric(levee, errors_series(other)), 0) << other;
  // levee may have replayed a reset on a reused connection once, on a fresh one (its stale-
  // connection rule), so the service reset at least as many as the clients saw.
  const auto stats = fetch(backend.port, "GET", "/stats").body;
  const auto at = stats.find("\"work_reset\":");
  ASSERT_NE(at, std::string::npos) << stats;
  EXPECT_GE(std::atol(stats.c_str() + at + 13), resets_seen) << stats;

  // Reset connections were dropped, not leaked: no more open than clients, and the ones left
  // are reused for requests the fault does not touch.
  EXPECT_LE(metric(levee, R"(levee_upstream_connections{state="open",upstream="backend"})"), threads);
  const double reuses = metric(levee, R"(levee_upstream_connection_reuses_total{upstream="backend"})");
  for (int i = 0; i < 20; ++i) ASSERT_EQ(fetch(levee.port, "GET", "/").status, 200u) << "request " << i;
  EXPECT_GE(metric(levee, R"(levee_upstream_connection_reuses_total{upstream="backend"})") - reuses, 10);
  std::cout << "[ measured ] " << resets_seen << " of " << outcomes.size() << " requests answered 502; "
            << stats << "\n";
}

TEST(ReloadUnderLoad, RepeatedReloadsLoseNoRequest) {
  auto backend = start_backend({"--workers", "8", "--service-time", "1ms"});
  const std::string base = basic_config("127.0.0.1:" + std::to_string(backend.port));
  auto levee = start_levee(base + fixed_limit(40));
  LoadLoop load(levee.port, {.target = "/slow?ms=10", .threads = 4, .max_per_thread = 1000, .pause = 0ms});
  ASSERT_TRUE(eventually([&] { return load.ok() >= 20; }));

  constexpr int reloads = 8;
  for (int i = 1; i <= reloads; ++i) {
    SCOPED_TRACE("reload " + std::to_string(i));
    const unsigned limit = 40 + static_cast<unsigned>(i);
    std::ofstream(levee.config_path, std::ios::trunc) << base + fixed_limit(limit);
    if (i % 2) {
      levee.process->signal(SIGHUP);
    } else {
      EXPECT_EQ(fetch(levee.admin_port, "POST", "/reload").status, 200u);
    }
    EXPECT_TRUE(eventually([&] {
      return fetch(levee.admin_port, "GET", "/config").body.find("initial: " + std::to_string(limit)) !=
             std::string::npos;
    }));
    // Requests keep completing between reloads, not only before and after them.
    const int ok_now = load.ok();
    ASSERT_TRUE(eventually([&] { return load.ok() >= ok_now + 10; }));
  }
  const auto outcomes = load.stop();

  EXPECT_EQ(count_if(outcomes, [](const Outcome& o) { return !o.is_2xx(); }), 0);
  EXPECT_GE(static_cast<int>(outcomes.size()), 20 + reloads * 10);
  EXPECT_NE(fetch(levee.admin_port, "GET", "/state").body.find(R"("limit":48)"), std::string::npos);
  // Permits taken under one config and returned under another all came back.
  EXPECT_TRUE(eventually([&] { return metric(levee, admission_in_flight) == 0; }));
  std::cout << "[ measured ] " << outcomes.size() << " requests across " << reloads << " reloads, slowest "
            << longest(outcomes).count() << " ms\n";
}

TEST(DrainUnderLoad, SigtermFailsNoRequestAndRefusesOnlyAfterTheDelay) {
  auto backend = start_backend();
  std::string yaml = basic_config("127.0.0.1:" + std::to_string(backend.port));
  const std::string timeout_line = "  drain_timeout: 5s\n";
  constexpr auto drain_delay = 800ms;
  yaml.replace(yaml.find(timeout_line), timeout_line.size(), timeout_line + "  drain_delay: 800ms\n");
  auto levee = start_levee(yaml);
  LoadLoop load(levee.port, {.target = "/slow?ms=100", .threads = 4, .max_per_thread = 100, .pause = 0ms,
                             .reconnect = false});
  ASSERT_TRUE(eventually([&] { return load.ok() >= 8; }));

  const auto signalled = Clock::now();
  levee.process->signal(SIGTERM);
  ASSERT_TRUE(eventually([&] { return fetch(levee.admin_port, "GET", "/readyz").status == 503; }, 2s));
  const auto not_ready = Clock::now();
  // New connections: served during the delay, refused after it. A connection the kernel
  // accepted just before the listener closed is reset instead of refused; both end the loop.
  int served_while_draining = 0;
  std::optional<Clock::time_point> refused;
  while (!refused && Clock::now() - signalled < drain_delay + 5s) {
    try {
      TestClient client(levee.port, 3s);
      const auto answer = client.request("GET", "/");
      EXPECT_EQ(answer.status, 200u);
      EXPECT_FALSE(answer.keep_alive);  // told to go elsewhere
      ++served_while_draining;
    } catch (const std::exception&) {
      refused = Clock::now();
    }
    std::this_thread::sleep_for(20ms);  // pacing of the probe
  }
  ASSERT_TRUE(refused.has_value());
  EXPECT_GE(*refused - signalled, drain_delay);
  EXPECT_LT(not_ready, *refused);
  EXPECT_GE(served_while_draining, 1);
  EXPECT_EQ(levee.process->wait(10s), 0) << levee.process->output();

  const auto outcomes = load.stop();
  EXPECT_EQ(count_if(outcomes, [](const Outcome& o) { return !o.is_2xx(); }), 0);
  // The drain had work to wait for: requests were in flight when the signal came.
  const int spanning = count_if(outcomes, [&](const Outcome& o) { return o.start < signalled && o.end > signalled; });
  EXPECT_GE(spanning, 1);
  std::cout << "[ measured ] " << spanning << " request(s) in flight at SIGTERM, all answered; readiness 503 after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(not_ready - signalled).count()
            << " ms; first refusal after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(*refused - signalled).count() << " ms\n";
}

}  // namespace
}  // namespace levee::testing
