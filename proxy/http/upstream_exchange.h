#pragma once
// One request/response exchange with the service over a pooled connection, in two halves so
// that whoever drives it (the retrying forwarder) decides between them, from the response
// header, whether the answer goes to the client or the exchange is tried again:
//
//   send_request()    connection from the pool, request header and body out, response header
//                     in (interim 1xx skipped). Nothing has reached the client yet.
//   relay_response()  response header and body to the client, connection back to the pool.
//
// Bodies stream both ways through one fixed relay buffer, so a 100 MiB upload or download
// costs one buffer of memory; chunked framing is decoded on one side and re-encoded on the
// other. Reads take as much as the relay buffer holds (not the few hundred bytes a small
// parse buffer would), and a response header goes out in the same write as the first body
// bytes. A pooled connection found dead while the request is written (and before any client
// body byte was consumed) is swapped for a fresh one: the service never saw the request. One
// that dies while levee waits for the answer may have delivered it, so the request goes again
// only when SendOptions::safe_to_resend says it may run twice.

#include "proxy/http/added_fields.h"
#include "proxy/http/downstream.h"
#include "proxy/http/exchange_error.h"
#include "proxy/http/field_pool.h"
#include "proxy/http/upstream_pool.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/clock.h"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace levee::http {

// A response read whole from the service, its header already prepared for the client.
using BufferedResponse = boost::beast::http::message<false, boost::beast::http::string_body, Fields>;

struct SendOptions {
  // The request body, read into memory beforehand so that every attempt can send it; the
  // parser is done then. Null: the body (if any) is relayed from the client as it arrives.
  const std::string* buffered_body = nullptr;
  // Wait for the response header (per-try timeout); none: the upstream's response_timeout.
  std::optional<std::chrono::nanoseconds> header_timeout;
  // The request may reach the service twice (an idempotent method or an idempotency key): a
  // reused connection closed before any response byte is then tried once more on a fresh one.
  bool safe_to_resend = false;
  // A new connection, never one from the pool: an upgrade request's connection becomes the
  // tunnel (upgrade_exchange.h).
  bool fresh_connection = false;
  // The fields levee adds to the request (added_fields.h), written after its own; inserted
  // into the header when Beast's serializer writes it. Null: none.
  AddedFields* added = nullptr;
};

// One attempt, owned by the caller across both halves.
struct UpstreamAttempt {
  std::unique_ptr<UpstreamConnection> connection;  // held from send_request to relay_response
  std::optional<ResponseParser> response;          // its header, once send_request succeeded
  std::optional<BufferedResponse> buffered;        // relay_response read it whole: not yet written
  ExchangeResult result;

  unsigned status() const { return response ? response->get().result_int() : 0; }
  // Gives up on the answer without reading its body: the connection is closed, never pooled.
  void abandon() {
    connection.reset();
    response.reset();
  }
};

// First half. On success `attempt.response` holds the header and `attempt.result.error` is
// none; otherwise the error says what failed and nothing was sent to the client.
Awaitable<void> send_request(Downstream& downstream, RequestParser& request, UpstreamPool& pool,
                             const policy::Clock& clock, const SendOptions& options,
                             UpstreamAttempt& attempt);

// Second half, after a successful send_request: the connection goes back to the pool when
// both sides allow it, and the response to the client. A response whose body is at most
// `buffer_limit` bytes (Content-Length known; no body at all counts) is read whole into
// `attempt.buffered` and not written yet: the caller releases what the service's time held
// (the admission permit) first, then writes it with write_buffered_response, so a client that
// reads slowly holds none of the service's capacity. Larger bodies stream through. Fills
// attempt.result (response_started stays false for a buffered one).
Awaitable<void> relay_response(Downstream& downstream, RequestParser& request, UpstreamPool& pool,
                               const policy::Clock& clock, std::uint64_t buffer_limit,
                               UpstreamAttempt& attempt);

// Writes a response relay_response buffered; updates `result` (client_gone when it fails).
Awaitable<void> write_buffered_response(Downstream& downstream, BufferedResponse& response,
                                        ExchangeResult& result);

}  // namespace levee::http
