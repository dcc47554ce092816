#pragma once
// Where a response goes when the exchange does not serialise it onto a socket itself: an
// HTTP/2 stream (h2_stream.cpp), or, for a response that came over HTTP/2 from the service
// (h2_forwarder.h), an HTTP/1.1 client (http1_sink.h). The exchange hands over the head, the
// body and perhaps trailers; the implementation frames them for its protocol and applies its
// flow control.

#include "proxy/http/field_pool.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include <string_view>

namespace levee::http {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // The status and header fields; `end`: no body follows. False: the client is gone.
  virtual Awaitable<bool> write_head(const ResponseHeader& head, bool end) = 0;
  // Body bytes (copied before return); waits while the client is behind (flow control).
  // `end`: the last of the body. False: the client is gone.
  virtual Awaitable<bool> write_body(std::string_view bytes, bool end) = 0;
  // Trailer fields, ending the response after the body written so far (gRPC's grpc-status
  // travels here). False: the client is gone. An HTTP/1.1 client may not get them (see the
  // implementation).
  virtual Awaitable<bool> write_trailers(const Fields& trailers) = 0;
};

}  // namespace levee::http
