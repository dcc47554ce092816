#include "backend/handlers.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backend/async_work.h"
#include "backend/body_io.h"
#include "backend/target.h"

namespace levee::load {

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view text_plain = "text/plain";
constexpr std::string_view json = "application/json";

bool wants_retry_after(unsigned status) { return status == 429 || status == 503; }

// Closes with SO_LINGER 0, so the peer gets an RST instead of a FIN: what it sees when a
// service crashes or a middlebox drops the connection mid-request.
After reset_connection(Exchange& ex) {
  beast::error_code ignored;
  ex.stream.socket().set_option(asio::socket_base::linger(true, 0), ignored);
  ex.stream.socket().close(ignored);
  return After::close;
}

asio::awaitable<After> handle_work(Exchange& ex) {
  const BackendConfig& config = ex.context.config;
  ex.context.stats.work_received.fetch_add(1, std::memory_order_relaxed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  // Drawn only when asked for, so a run without resets keeps its failure sequence for a seed.
  if (config.reset_ratio > 0 && uniform(ex.rng) < config.reset_ratio) {
    ex.context.stats.work_reset.fetch_add(1, std::memory_order_relaxed);
    co_return reset_connection(ex);
  }
  if (config.fail_ratio > 0) {
    if (uniform(ex.rng) < config.fail_ratio) {
      ex.context.stats.work_failed.fetch_add(1, std::memory_order_relaxed);
      co_return co_await send_text(ex, config.fail_status, text_plain, "injected failure\n",
                                   config.fail_retry_after && wants_retry_after(config.fail_status));
    }
  }
  co_await async_work(ex.context.pool, asio::use_awaitable);
  co_return co_await send_text(ex, 200, text_plain, "done\n");
}

// The JSON bodies are built outside the coroutines: GCC 12 miscompiles brace-initialized
// nlohmann documents inside a coroutine body ("array used as initializer").
std::string echo_json(const BodyDigest& digest) {
  return nlohmann::ordered_json{{"bytes", digest.bytes}, {"fnv1a", fmt::format("{:016x}", digest.hash.value())}}.dump();
}

std::string stats_json(const Exchange& ex) {
  const BackendStats& s = ex.context.stats;
  return nlohmann::ordered_json{{"connections_open", s.connections_open.load()},
                                {"connections_total", s.connections_total.load()},
                                {"requests_total", s.requests_total.load()},
                                {"work_received", s.work_received.load()},
                                {"work_failed", s.work_failed.load()},
                                {"work_reset", s.work_reset.load()},
                                {"work_done", ex.context.pool.work_done()},
                                {"queue_length", ex.context.pool.queue_length()}}
      .dump();
}

asio::awaitable<After> handle_echo(Exchange& ex) {
  BodyDigest digest;
  if (!co_await consume_body(ex, &digest)) co_return After::close;
  co_return co_await send_text(
      ex, 200, json, echo_json(digest));
}

asio::awaitable<After> handle_headers(Exchange& ex) {
  const auto& req = ex.parser.get();
  std::string body = fmt::format("{} {} HTTP/{}.{}\n", req.method_string(), req.target(),
                                 req.version() / 10, req.version() % 10);
  for (const auto& field : req) {
    body += fmt::format("{}: {}\n", field.name_string(), field.value());
  }
  co_return co_await send_text(ex, 200, text_plain, std::move(body));
}

asio::awaitable<After> handle_status(Exchange& ex, std::string_view query) {
  auto code = query_number(query, "code");
  if (!code || *code < 200 || *code > 599) {
    co_return co_await send_text(ex, 400, text_plain, "code must be 200..599\n");
  }
  auto status = static_cast<unsigned>(*code);
  co_return co_await send_text(ex, status, text_plain, fmt::format("status {}\n", status),
                               wants_retry_after(status));
}

asio::awaitable<After> handle_slow(Exchange& ex, std::string_view query) {
  auto ms = query_number(query, "ms");
  if (!ms || *ms > 3'600'000) {
    co_return co_await send_text(ex, 400, text_plain, "ms must be 0..3600000\n");
  }
  asio::steady_timer timer(ex.stream.get_executor(), std::chrono::milliseconds(*ms));
  co_await timer.async_wait(nothrow);
  co_return co_await send_text(ex, 200, text_plain, "slow\n");
}

// POST /control/service-time?ms=N: /work costs N ms from the next job on (bench/limits'
// real-process slowdown). GET reports the current mean.
asio::awaitable<After> handle_service_time(Exchange& ex, std::string_view query) {
  if (ex.parser.get().method() == http::verb::post) {
    const auto ms = query_number(query, "ms");
    if (!ms || *ms < 1 || *ms > 60'000) co_return co_await send_text(ex, 400, text_plain, "ms must be 1..60000\n");
    ex.context.pool.set_mean_service_time(std::chrono::milliseconds(*ms));
  }
  const auto mean = std::chrono::duration_cast<std::chrono::milliseconds>(ex.context.pool.mean_service_time());
  co_return co_await send_text(ex, 200, text_plain, fmt::format("service_time {}ms\n", mean.count()));
}

// POST /control/workers?n=N: N workers serve the queue from now on (bench/limits' real-process
// capacity halved or doubled). GET reports the count.
asio::awaitable<After> handle_workers(Exchange& ex, std::string_view query) {
  if (ex.parser.get().method() == http::verb::post) {
    const auto n = query_number(query, "n");
    if (!n || *n < 1 || *n > static_cast<std::uint64_t>(WorkerPool::max_workers)) {
      co_return co_await send_text(ex, 400, text_plain, fmt::format("n must be 1..{}\n", WorkerPool::max_workers));
    }
    ex.context.pool.set_workers(static_cast<int>(*n));
  }
  co_return co_await send_text(ex, 200, text_plain, fmt::format("workers {}\n", ex.context.pool.workers()));
}

asio::awaitable<After> handle_stats(Exchange& ex) {
  co_return co_await send_text(ex, 200, json, stats_json(ex));
}

}  // namespace

asio::awaitable<After> handle_request(Exchange& ex) {
  Target target = split_target(ex.parser.get().target());
  if (target.path == "/echo") co_return co_await handle_echo(ex);

  // Every other endpoint ignores the body; drain it so the connection can carry the next request.
  if (!co_await consume_body(ex, nullptr)) co_return After::close;

  if (target.path == "/") co_return co_await send_text(ex, 200, text_plain, "levee-load backend\n");
  if (target.path == "/work") co_return co_await handle_work(ex);
  if (target.path == "/bytes") {
    auto n = query_number(target.query, "n").value_or(0);
    bool chunked = query_number(target.query, "chunked").value_or(0) != 0;
    co_return co_await send_pattern(ex, n, chunked);
  }
  if (target.path == "/headers") co_return co_await handle_headers(ex);
  if (target.path == "/status") co_return co_await handle_status(ex, target.query);
  if (target.path == "/slow") co_return co_await handle_slow(ex, target.query);
  if (target.path == "/close") co_return After::close;
  if (target.path == "/stats") co_return co_await handle_stats(ex);
  if (target.path == "/control/service-time") co_return co_await handle_service_time(ex, target.query);
  if (target.path == "/control/workers") co_return co_await handle_workers(ex, target.query);
  co_return co_await send_text(ex, 404, text_plain, "not found\n");
}

}  // namespace levee::load
