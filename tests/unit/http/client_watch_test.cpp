#include "proxy/http/client_watch.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>

namespace levee::http {
namespace {

// A client connection as the sweep sees it: one end of a socket pair, the other end the client.
struct ClientPair {
  std::array<int, 2> fds{-1, -1};
  ClientPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds.data()), 0); }
  ~ClientPair() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  int proxy_side() const { return fds[0]; }
  void client_leaves() {
    ::close(fds[1]);
    fds[1] = -1;
  }
};

class ClientWatchListTest : public ::testing::Test {
 protected:
  ClientWatchListTest() : upstream(context) { upstream.socket().open(boost::asio::ip::tcp::v4()); }

  boost::asio::io_context context;
  MaybeTlsStream upstream;  // what a found-gone client's exchange cancels
  ClientWatchList list;
};

TEST_F(ClientWatchListTest, ASweepFindsTheClientThatLeftAndOnlyThatOne) {
  ClientPair staying;
  ClientPair leaving;
  ClientWatch watch_staying(&list, staying.proxy_side(), upstream);
  ClientWatch watch_leaving(&list, leaving.proxy_side(), upstream);
  list.sweep();
  EXPECT_FALSE(watch_leaving.client_gone());
  leaving.client_leaves();
  list.sweep();
  EXPECT_TRUE(watch_leaving.client_gone());
  EXPECT_FALSE(watch_staying.client_gone());
}

TEST_F(ClientWatchListTest, SweepsStartWithTheFirstWatchAndStopWhenNoneIsLeft) {
  int starts = 0;
  list.on_first_watch([&] { ++starts; });
  ClientPair first_client;
  ClientPair second_client;
  {
    ClientWatch first(&list, first_client.proxy_side(), upstream);
    EXPECT_EQ(starts, 1);
    ClientWatch second(&list, second_client.proxy_side(), upstream);
    EXPECT_EQ(starts, 1) << "sweeps already due: a second watch starts nothing";
    EXPECT_TRUE(list.sweep()) << "watches remain: the sweeps go on";
  }
  {
    // The watches left after the last sweep: the next one still finds the list empty...
    ClientWatch again(&list, first_client.proxy_side(), upstream);
    EXPECT_EQ(starts, 1) << "a sweep is still due from the last round";
  }
  EXPECT_FALSE(list.sweep()) << "nothing watched: the sweeps stop";
  ClientWatch later(&list, first_client.proxy_side(), upstream);
  EXPECT_EQ(starts, 2) << "the next watch starts them again";
}

TEST_F(ClientWatchListTest, AListWithoutAnOwnerStillSweeps) {
  ClientPair client;
  ClientWatch watch(&list, client.proxy_side(), upstream);  // no on_first_watch: nothing to call
  client.client_leaves();
  EXPECT_TRUE(list.sweep());
  EXPECT_TRUE(watch.client_gone());
}

}  // namespace
}  // namespace levee::http
