// The HTTP/2 client pool's rules: which connection takes a request, when a new one opens,
// and which are closed (after GOAWAY, or idle). No sockets: connection states are set by hand.

#include "proxy/policy/h2_client_pool.h"

#include <gtest/gtest.h>

#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;
using Kind = H2PoolChoice::Kind;

struct H2ClientPoolTest : ::testing::Test {
  levee::testing::ManualClock clock;
  H2ClientPoolSettings settings;
  H2ClientPool pool{settings};

  // A connected connection with `available` free slots and `open` streams.
  H2ConnectionId connected(std::size_t available, std::size_t open = 0) {
    const H2ConnectionId id = pool.add_connecting();
    pool.update(id, {true, available, open, clock.now()});
    return id;
  }
};

TEST_F(H2ClientPoolTest, AnEmptyPoolOpensAConnectionAndWaitsWhileItConnects) {
  EXPECT_EQ(pool.choose().kind, Kind::open_new);
  const H2ConnectionId id = pool.add_connecting();
  EXPECT_EQ(pool.choose().kind, Kind::wait);  // a burst opens one connection, not one each
  EXPECT_EQ(pool.connecting(), 1u);
  pool.update(id, {true, 100, 0, clock.now()});
  const H2PoolChoice choice = pool.choose();
  EXPECT_EQ(choice.kind, Kind::use);
  EXPECT_EQ(choice.connection, id);
}

TEST_F(H2ClientPoolTest, RequestsGoToTheConnectionWithTheFewestOpenStreams) {
  const H2ConnectionId busy = connected(90, 10);
  const H2ConnectionId quiet = connected(98, 2);
  EXPECT_EQ(pool.choose().connection, quiet);
  for (int i = 0; i < 7; ++i) pool.on_stream_opened(quiet, clock.now());
  EXPECT_EQ(pool.choose().connection, quiet);  // 9 against 10
  pool.on_stream_opened(quiet, clock.now());
  EXPECT_EQ(pool.choose().connection, busy);  // 10 each: the older wins the tie
}

TEST_F(H2ClientPoolTest, ANewConnectionOpensOnlyWhenEveryOneIsFullAndUpToTheCap) {
  settings.max_connections = 2;
  pool = H2ClientPool(settings);
  const H2ConnectionId first = connected(1);
  EXPECT_EQ(pool.choose().kind, Kind::use);
  pool.on_stream_opened(first, clock.now());
  EXPECT_EQ(pool.choose().kind, Kind::open_new);  // full: the service's limit, or levee's cap
  connected(0, 100);
  EXPECT_EQ(pool.connections(), 2u);
  EXPECT_EQ(pool.choose().kind, Kind::wait);  // both full, and at max_connections
  pool.update(first, {true, 1, 0, clock.now()});  // a stream closed
  EXPECT_EQ(pool.choose().connection, first);
}

TEST_F(H2ClientPoolTest, AfterGoAwayAConnectionTakesNoStreamAndClosesWhenItsStreamsFinish) {
  settings.max_connections = 1;
  pool = H2ClientPool(settings);
  const H2ConnectionId id = connected(100, 3);
  pool.update(id, {false, 0, 3, clock.now()});  // GOAWAY received
  // It no longer holds a place under the cap: a fresh connection replaces it at once.
  EXPECT_EQ(pool.choose().kind, Kind::open_new);
  EXPECT_TRUE(pool.to_close(clock.now()).empty());  // three streams still finishing
  pool.update(id, {false, 0, 0, clock.now()});
  EXPECT_EQ(pool.to_close(clock.now()), std::vector<H2ConnectionId>{id});
  pool.remove(id);
  EXPECT_EQ(pool.connections(), 0u);
}

TEST_F(H2ClientPoolTest, IdleConnectionsCloseAfterTheTimeoutButOneStaysOpen) {
  settings.idle_timeout = 60s;
  settings.keep_open = 1;
  pool = H2ClientPool(settings);
  const H2ConnectionId older = connected(100);
  clock.advance(10s);
  const H2ConnectionId newer = connected(100);
  const H2ConnectionId busy = connected(99, 1);
  clock.advance(55s);
  EXPECT_EQ(pool.to_close(clock.now()), std::vector<H2ConnectionId>{older});  // 65 s idle; newer 55 s
  clock.advance(10s);
  // Both idle past the timeout: both may go, since the busy one stays open.
  EXPECT_EQ(pool.to_close(clock.now()), (std::vector<H2ConnectionId>{older, newer}));
  pool.update(busy, {true, 100, 0, clock.now() - 70s});
  // All three idle (75, 65 and 70 s): the longest idle go first, one is kept.
  EXPECT_EQ(pool.to_close(clock.now()), (std::vector<H2ConnectionId>{older, busy}));
}

TEST_F(H2ClientPoolTest, AConnectionThatFailedToConnectIsForgotten) {
  const H2ConnectionId id = pool.add_connecting();
  EXPECT_EQ(pool.choose().kind, Kind::wait);
  EXPECT_TRUE(pool.to_close(clock.now()).empty());  // connecting ones are the I/O side's
  pool.remove(id);
  EXPECT_EQ(pool.choose().kind, Kind::open_new);
  pool.update(id, {true, 100, 0, clock.now()});  // a late update for a removed one is ignored
  EXPECT_EQ(pool.connections(), 0u);
}

}  // namespace
}  // namespace levee::policy
