#pragma once
// One HTTP/2 stream is one request: its fields and body are gathered from the connection's
// events, then it runs the same handle_request as an HTTP/1.1 request (check, route, trust,
// classify, admit, forward, answer), so a shed stream gets the same answer as a shed request,
// on its stream, with the connection left up. What differs is only the client side:
//
// - the request: the h2 fields become the HTTP/1.1 request levee sends the service
//   (h2/http1_request.h), parsed by the same parser as a request read from a socket, with the
//   body (held whole, see below) behind it in the same buffer;
// - admission waits on the stream's ClientGone (RST_STREAM, or the connection gone), not on a
//   socket;
// - the response goes to a ResponseSink that submits it on the stream: its body is queued in
//   the connection up to H2Session::response_high_water and then waits for the client to read
//   (flow control), so a large download holds one relay buffer and a bounded queue;
// - a gRPC call (content-type application/grpc*) that is shed gets a trailers-only answer
//   (policy/grpc_shed.h): HTTP 200 with grpc-status, grpc-message, grpc-retry-pushback-ms.
//
// Request bodies are held whole before the request goes on (as HTTP/1.1 holds a small one
// before admission, so a slow upload holds no permit), up to the connection window
// (http2.connection_window_size) for all the connection's streams together: a client opening
// 100 streams holds at most that much here, not 100 times it. A body past the bound is
// answered 413. Streaming larger uploads is
// left for later (docs/http2.md).

#include "proxy/h2/events.h"
#include "proxy/http/client_gone.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/clock.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace levee::http {

class H2Session;

struct H2Stream {
  H2Stream(std::int32_t id, std::vector<h2::Field> fields, bool has_body, policy::TimePoint opened,
           const boost::asio::any_io_executor& executor)
      : id(id), fields(std::move(fields)), has_body(has_body), opened(opened), output_drained(executor) {}

  const std::int32_t id;
  const std::vector<h2::Field> fields;
  const bool has_body;  // opened without END_STREAM
  const policy::TimePoint opened;
  std::string body;
  std::uint64_t held = 0;  // body bytes counted against the session's bound until the stream closes
  bool too_large = false;  // the body passed its bound: answered 413, the rest dropped
  bool started = false;    // serve_stream is running
  bool closed = false;     // the connection forgot the stream: nothing more can be sent
  ClientGone gone;
  // A response waiting for its queued body to drain sleeps here; the session cancels it
  // after every write and when the stream closes.
  boost::asio::steady_timer output_drained;
};

// The stream's request, through levee, to its answer on the stream.
Awaitable<void> serve_stream(std::shared_ptr<H2Session> session, std::shared_ptr<H2Stream> stream);

}  // namespace levee::http
