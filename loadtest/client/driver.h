#pragma once
// One sending thread of a run: its share of the arrivals, its connections, its records.
//
// Open model: each user request is dispatched at its scheduled time whether or not earlier
// ones were answered; a timer wakes the thread at the next due arrival or retry. Latency is
// measured from the *intended* time, so a generator or target that falls behind shows up as
// latency and schedule lag instead of silently sending less (no coordinated omission).
// Connections come from a keep-alive pool capped per thread; an attempt that finds the cap
// reached is recorded as not sent. Several flows (tenants) are merged into one time-ordered
// stream; each user remembers its flow, whose caller model and request bytes it uses throughout.
// Everything runs on the thread's own io_context; the only
// shared state is the LiveCounters (relaxed atomics) read by the progress display.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <vector>

#include "client/connection.h"
#include "client/h2_channel.h"
#include "client/target_tls.h"
#include "client/live_counters.h"
#include "client/request_bytes.h"
#include "client/retry_policy.h"
#include "profile/run_plan.h"
#include "schedule/merged_arrivals.h"
#include "stats/aggregate.h"
#include "stats/run_accumulator.h"

namespace levee::load {

// The run's aggregates when they are built while running. Each driver files into its own
// accumulator and hands its finished buckets over here now and then (once per few thousand
// records, a short merge under the lock), so the series is held once; the rest after the run.
struct SharedAggregates {
  std::mutex mutex;
  RunAccumulator total;
};

struct DriverSetup {
  const std::vector<FlowPlan>& flows;         // flow i's arrivals, caller model and requests
  const std::vector<RequestBytes>& requests;  // one per flow
  ArrivalKind arrivals = ArrivalKind::uniform;
  unsigned thread = 0;
  unsigned threads = 1;
  std::uint64_t seed = 1;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // one per target
  int max_connections = 10000;  // across all threads
  std::chrono::steady_clock::time_point start;  // time zero of the run
  LiveCounters& live;
  // Set: aggregate while running into a copy of this (empty) accumulator and keep only the
  // records still open, so memory does not grow with the run's length; records() then holds
  // just those. Unset: keep every record for the end of the run (flows, the --requests log).
  SharedAggregates* aggregates = nullptr;
  std::vector<TargetTls> tls;  // one per target (client/target_tls.h); empty: every target is plain http
  // HTTP/2 by prior knowledge (h2c): attempts are streams on a few connections per target
  // (client/h2_channel.h) instead of a keep-alive connection each.
  bool http2 = false;
};

class Driver final : public ConnectionOwner, public H2StreamOwner {
 public:
  explicit Driver(DriverSetup setup);
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // Runs this thread's share of the schedule to the end (and its last answers). Blocks.
  void run();
  ThreadRecords records() const { return {attempts_, users_}; }
  // What was aggregated while running (after run()), when the setup asked for it.
  // Its buckets not handed over yet, the phases and the first shed: merged after the run.
  const std::optional<RunAccumulator>& aggregates() const { return aggregates_; }

  void on_exchange_done(Connection& connection, const ExchangeResult& result) override;
  void on_stream_done(std::uint32_t tag, const ExchangeResult& result) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Retry {
    std::int64_t due_ns;
    std::uint32_t user;
    std::uint8_t attempt;
    bool operator>(const Retry& other) const { return due_ns > other.due_ns; }
  };

  std::int64_t now_ns() const;
  void arm();
  void on_timer();
  void dispatch(std::uint32_t user, std::uint8_t attempt, std::int64_t intended_ns, std::int64_t now);
  Connection* take_connection(std::size_t target);
  boost::asio::ip::address source_for(std::size_t target, std::size_t n) const;
  void settle(std::uint32_t attempt_index, const ExchangeResult& result, std::int64_t now);
  void attempt_done(std::uint32_t attempt_index, const ExchangeResult& result);
  // HTTP/2 connections keep a read pending: closed once the schedule is done and nothing is
  // in flight, so run() returns with the last answer as it does on HTTP/1.1.
  void close_channels_when_done();
  UserRecord& user_at(std::uint32_t user) { return users_[user - first_user_]; }
  void drop_finished_records();  // only when aggregating while running
  void file_open_users();         // at the end: the users never settled, as the batch path counts them

  DriverSetup setup_;
  boost::asio::io_context ioc_{1};
  boost::asio::steady_timer timer_{ioc_};
  std::uint32_t key_for(std::uint16_t flow);
  std::uint8_t request_for(std::uint16_t flow);  // a template of the flow's request mix

  MergedArrivals arrivals_;
  std::optional<FlowArrival> next_arrival_;
  std::vector<std::uint64_t> next_key_;  // per flow: the next sequential key
  std::vector<RequestMix> mixes_;        // per flow
  std::optional<std::int64_t> armed_ns_;  // when the timer fires next, if armed
  std::priority_queue<Retry, std::vector<Retry>, std::greater<>> retries_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::vector<Connection*>> idle_;  // by target
  std::vector<std::unique_ptr<H2Channel>> channels_;  // by target, with --http2
  std::size_t connection_cap_ = 0;
  // Record windows: users_[0] is user first_user_ and attempts_[0] attempt first_attempt_ (both
  // stay 0 unless records are dropped while running). User and attempt numbers are the thread's.
  std::vector<AttemptRecord> attempts_;
  std::vector<UserRecord> users_;
  std::uint32_t first_attempt_ = 0;
  std::uint32_t first_user_ = 0;
  std::size_t next_drop_at_ = 0;  // window size (records) that triggers the next drop
  std::optional<RunAccumulator> aggregates_;
  std::mt19937_64 rng_;
};

}  // namespace levee::load
