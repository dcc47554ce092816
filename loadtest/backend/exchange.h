#pragma once
// What a backend handler works with: one request on one connection, plus the shared service.
// Everything here is touched only on the connection's strand, except BackendStats (atomics)
// and WorkerPool (thread-safe).

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstdint>
#include <random>

#include "backend/backend_config.h"
#include "backend/worker_pool.h"

namespace levee::load {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

struct BackendStats {
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> requests_total{0};
  // /work requests that reached the service (counted on arrival, before any queueing), and the
  // injected failures among them: what a proxy in front let through.
  std::atomic<std::uint64_t> work_received{0};
  std::atomic<std::uint64_t> work_failed{0};
  std::atomic<std::uint64_t> work_reset{0};  // /work connections reset by --reset-ratio
};

struct BackendContext {
  const BackendConfig& config;
  WorkerPool& pool;
  BackendStats& stats;
};

// A buffer_body parser: bodies stream through a fixed buffer, so a 100 MiB upload costs no RSS.
using RequestParser = http::request_parser<http::buffer_body>;

struct Exchange {
  beast::tcp_stream& stream;
  beast::flat_buffer& buffer;
  RequestParser& parser;
  BackendContext& context;
  std::mt19937_64& rng;  // per connection, seeded from --seed: fault injection is repeatable
};

// What the session does after a handler: read the next request or close.
enum class After { keep_alive, close };

}  // namespace levee::load
