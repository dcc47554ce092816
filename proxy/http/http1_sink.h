#pragma once
// A response that came from the service over HTTP/2 (h2_forwarder.h), written to an HTTP/1.1
// client. HTTP/2 carries no framing fields, so the framing is chosen here: a Content-Length
// the service sent is kept; otherwise the body is chunked for HTTP/1.1 and close-delimited for
// HTTP/1.0. Trailers are dropped: an HTTP/1.1 client must announce `TE: trailers` to get them
// and gRPC clients never speak HTTP/1.1, so the final chunk goes out bare (docs/http2.md).

#include "proxy/http/downstream.h"
#include "proxy/http/response_sink.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace levee::http {

class Http1Sink final : public ResponseSink {
 public:
  explicit Http1Sink(Downstream& downstream) : down_(downstream) {}

  Awaitable<bool> write_head(const ResponseHeader& head, bool end) override;
  Awaitable<bool> write_body(std::string_view bytes, bool end) override;
  Awaitable<bool> write_trailers(const Fields& trailers) override;

  // The client connection may carry another request once the response is complete.
  bool keep_alive() const { return keep_alive_; }

 private:
  Awaitable<bool> write(std::string_view bytes);

  Downstream& down_;
  std::string out_;
  bool chunked_ = false;
  bool keep_alive_ = false;
};

}  // namespace levee::http
