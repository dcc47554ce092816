#pragma once
// The client side of one request as the request path sees it: the connection's stream and
// read buffer, its timeouts and HTTP version, and the one 100 Continue it may be owed.
// Owned by the session for the length of one request.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "proxy/http/field_pool.h"
#include "proxy/http/maybe_tls_stream.h"
#include "proxy/http/client_gone.h"
#include "proxy/http/client_watch.h"
#include "proxy/http/response_sink.h"
#include "proxy/http/exchange_error.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/transfer_rate.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace levee::http {

struct Downstream {
  MaybeTlsStream& stream;
  boost::beast::flat_buffer& buffer;
  // The connection's buffer for serialised headers (head_serializer.h), reused from request to
  // request so that laying out a header allocates nothing. Lent, not owned: the coroutines that
  // lay out a header have no room of their own for one (see handle_request).
  std::string& head_buffer;
  // The same for a small request body read whole before admission (handle_request).
  std::string& request_body_buffer;
  std::chrono::nanoseconds io_timeout;  // inactivity while reading the body / writing the response
  unsigned version = 11;                // the client's HTTP version
  bool keep_alive = true;               // client wants (and levee allows) another request after
  // Read when the response header is written: a drain that began while the request was in
  // flight still tells this client to reconnect elsewhere.
  const std::atomic<bool>* draining = nullptr;
  // The client sent `Expect: 100-continue` and holds its body until told to send it.
  bool continue_owed = false;
  // The worker's list of clients to watch while their requests are at the service; null:
  // none are watched.
  ClientWatchList* client_watches = nullptr;
  // The pace a body streamed while the request holds its permit must keep (transfer_watch.h);
  // the default is off.
  policy::TransferRateSettings transfer_rate{};
  // The connection's buffer for a response body read whole (relay_response): lent to the
  // response and given back once it is written, so small answers reuse one allocation. Null:
  // each makes its own.
  std::string* body_buffer = nullptr;
  // The worker's pool for the fields of the service's response header (field_pool.h); null:
  // operator new.
  FieldPool* fields = nullptr;
  // An HTTP/2 stream: the request (header and whole body) is in `buffer` and `stream` is an
  // unconnected placeholder; admission waits on `gone` instead of the socket and the response
  // goes to `sink`. Null for HTTP/1.1.
  ClientGone* gone = nullptr;
  ResponseSink* sink = nullptr;
};

// Tells the client to send its body, the first time the body is needed (levee does not pass
// Expect on: header_hygiene removes it). Does nothing when nothing is owed. False: the client
// is gone.
Awaitable<bool> send_continue_once(Downstream& downstream);

// Reads a request body of known `length` whole into `body` (telling the client to continue
// first when it asked). none, request_too_large or client_gone.
Awaitable<ExchangeError> read_request_body(Downstream& downstream, RequestParser& parser,
                                           std::string& body, std::uint64_t length);

}  // namespace levee::http
