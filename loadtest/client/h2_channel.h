#pragma once
// The HTTP/2 connections of one sending thread to one target (`run --http2`): attempts are
// streams spread over a few connections instead of a connection each. An attempt goes on the
// open connection with the fewest streams that has a slot; a new connection is opened only
// when every one is full, up to the thread's share of --connections. Past that the attempt is
// not sent, as on HTTP/1.1: the generator never queues (it would hide the target's slowness
// as schedule lag). A failed connection is dropped and replaced on demand.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <vector>

#include "client/h2_link.h"
#include "client/live_counters.h"
#include "client/request_bytes.h"

namespace levee::load {

class H2Channel {
 public:
  using Clock = std::chrono::steady_clock;

  H2Channel(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint, H2StreamOwner& owner,
            std::size_t max_connections, LiveCounters& live)
      : ioc_(ioc), endpoint_(endpoint), owner_(owner), max_connections_(max_connections), live_(live) {}

  // Sends the attempt `tag` (the request's bytes with its holes filled) as a stream. False: no
  // connection can take it now (nothing was started, no callback follows); a request these
  // bytes do not describe also counts as not sent.
  bool start(const RequestParts& request, Clock::time_point deadline, std::uint32_t tag, std::uint32_t key);
  // Closes every connection (the run is over: nothing is in flight and nothing is due).
  void close();

 private:
  H2Link* pick();

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::endpoint endpoint_;
  H2StreamOwner& owner_;
  std::size_t max_connections_;
  LiveCounters& live_;
  std::vector<std::shared_ptr<H2Link>> links_;
};

}  // namespace levee::load
