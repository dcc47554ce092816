// The admission tick's two paces: slow while no group needs it, fast while one is at its limit,
// and at once when a request starts to wait. The slow pace here is an hour, so "no tick came"
// cannot be a timing accident; the waits for a tick that must come are bounded.

#include "proxy/http/admission_ticker.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <thread>

#include "proxy/config/loader.h"
#include "proxy/policy/clock.h"

namespace levee::http {
namespace {

using namespace std::chrono_literals;

constexpr AdmissionTicker::Pace test_pace{.fast = 1ms, .slow = std::chrono::hours(1)};

config::Config one_group(std::uint32_t limit) {
  const auto yaml = "upstreams: [{name: app, address: 127.0.0.1:9}]\n"
                    "admission: {groups: [{name: g, limit: {kind: fixed, initial: " +
                    std::to_string(limit) + "}, queue: {max_length: 4}}]}\n"
                    "routes: [{name: r, path_prefix: /, upstream: app, admission_group: g}]\n";
  auto loaded = config::load_string(yaml, "test.yaml", [](std::string_view) { return std::nullopt; });
  EXPECT_TRUE(loaded.ok());
  return loaded.ok() ? *loaded.config : config::Config{};
}

class AdmissionTickerTest : public ::testing::Test {
 protected:
  // Runs the ticker's context until `done` or two seconds.
  template <typename Done>
  void run_until(Done done) {
    const auto give_up = std::chrono::steady_clock::now() + 2s;
    while (!done() && std::chrono::steady_clock::now() < give_up) context.run_for(5ms);
  }

  policy::SteadyClock clock;
  prometheus::Registry registry;
  boost::asio::io_context context{1};
  AdmissionTicker* hook_target = nullptr;  // what a queued request hurries, when a test wants it
  AdmissionGroups groups{registry, clock, [this] {
                           if (hook_target) hook_target->hurry();
                         }};
  AdmissionTicker ticker{context, groups, test_pace};
};

TEST_F(AdmissionTickerTest, AnIdleGroupIsTickedSlowlyAndHurryTicksAtOnce) {
  const auto gates = groups.apply(one_group(2));
  ASSERT_EQ(gates.size(), 1u);
  ticker.start();
  run_until([&] { return ticker.ticks() >= 1; });
  context.run_for(50ms);
  EXPECT_EQ(ticker.ticks(), 1u);  // nothing needs it: the next tick is an hour away
  ticker.hurry();
  run_until([&] { return ticker.ticks() >= 2; });
  EXPECT_EQ(ticker.ticks(), 2u);
  ticker.hurry();  // the fast pace holds only while a group needs it: slow again after one tick
  run_until([&] { return ticker.ticks() >= 3; });
  context.run_for(50ms);
  EXPECT_EQ(ticker.ticks(), 3u);
}

TEST_F(AdmissionTickerTest, AGroupAtItsLimitIsTickedFastUntilItIsNot) {
  const auto gates = groups.apply(one_group(1));
  ASSERT_EQ(gates.size(), 1u);
  policy::Ticket ticket;
  auto held = gates[0]->admit_now(ticket);
  ASSERT_TRUE(held && held->admitted());
  ticker.start();
  run_until([&] { return ticker.ticks() >= 5; });
  EXPECT_GE(ticker.ticks(), 5u);
  held->permit.release(policy::Outcome::success);
  const auto before = ticker.ticks();
  context.run_for(50ms);  // one tick finds it free; the next is an hour away
  EXPECT_EQ(ticker.ticks(), before + 1);
}

TEST_F(AdmissionTickerTest, ARequestThatStartsToWaitHurriesTheTicker) {
  hook_target = &ticker;
  const auto gates = groups.apply(one_group(1));
  ASSERT_EQ(gates.size(), 1u);
  ticker.start();
  run_until([&] { return ticker.ticks() >= 1; });
  context.run_for(20ms);
  ASSERT_EQ(ticker.ticks(), 1u);

  policy::Ticket first;
  auto held = gates[0]->admit_now(first);
  ASSERT_TRUE(held && held->admitted());
  // A second request must wait, on a worker of its own (the gate calls the hook from there).
  boost::asio::io_context worker{1};
  boost::asio::ip::tcp::acceptor acceptor(worker, {boost::asio::ip::address_v4::loopback(), 0});
  Socket client(worker.get_executor());
  Socket server(worker.get_executor());
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  bool admitted = false;
  boost::asio::co_spawn(worker, gates[0]->admit(policy::Ticket{}, server),
                        [&](std::exception_ptr, AdmitResult result) { admitted = result.admitted(); });
  std::thread worker_thread([&] { worker.run_for(2s); });
  run_until([&] { return ticker.ticks() >= 2; });
  EXPECT_GE(ticker.ticks(), 2u);  // hurried: the slow pace would have been an hour
  held->permit.release(policy::Outcome::success);  // the waiter takes the slot; its coroutine ends
  worker_thread.join();
  EXPECT_TRUE(admitted);
}

}  // namespace
}  // namespace levee::http
