#include "backend/backend_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <thread>
#include <vector>

#include "backend/session.h"
#include "common/host_port.h"

namespace levee::load {

namespace {

using asio::ip::tcp;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, BackendContext& context) {
  std::uint64_t next_id = 0;
  for (;;) {
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), nothrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Typically out of file descriptors: back off briefly instead of spinning.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(10));
      co_await pause.async_wait(nothrow);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    beast::tcp_stream stream(std::move(socket));
    auto executor = stream.get_executor();
    asio::co_spawn(executor, run_session(std::move(stream), context, next_id++), asio::detached);
  }
}

std::optional<tcp::endpoint> resolve_listen(asio::io_context& ioc, const std::string& listen) {
  auto hp = parse_host_port(listen);
  if (!hp) return std::nullopt;
  beast::error_code ec;
  auto address = asio::ip::make_address(hp->host, ec);
  if (!ec) return tcp::endpoint(address, hp->port);
  // A name such as "localhost": resolving once at start is fine, nothing is serving yet.
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(hp->host, std::to_string(hp->port), ec);
  if (ec || results.empty()) return std::nullopt;
  return results.begin()->endpoint();
}

}  // namespace

int run_backend(const BackendConfig& config) {
  // Declared before the io_context: coroutine frames destroyed with it still touch the stats.
  BackendStats stats;
  WorkerPool pool(config.workers, config.service_time, config.mode, config.seed);
  BackendContext context{config, pool, stats};
  asio::io_context ioc(config.io_threads);

  auto endpoint = resolve_listen(ioc, config.listen);
  if (!endpoint) {
    fmt::print(stderr, "levee-load backend: cannot use listen address '{}'\n", config.listen);
    return 2;
  }
  tcp::acceptor acceptor(ioc);
  beast::error_code ec;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    fmt::print(stderr, "levee-load backend: cannot listen on {}: {}\n", config.listen,
               ec.message());
    return 2;
  }
  auto local = acceptor.local_endpoint();
  std::string host = local.address().is_v6() ? fmt::format("[{}]", local.address().to_string())
                                             : local.address().to_string();
  fmt::print("levee-load backend listening on {}:{} workers={} service_time={} "
             "capacity={:.1f}req/s\n",
             host, local.port(), config.workers, format_duration(config.service_time.mean),
             capacity_per_second(config));
  std::fflush(stdout);

  asio::co_spawn(ioc, accept_loop(acceptor, context), asio::detached);
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&ioc](const beast::error_code&, int) { ioc.stop(); });

  std::vector<std::thread> threads;
  for (int i = 1; i < config.io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (std::thread& t : threads) t.join();
  // Queued jobs hold coroutine frames whose sockets belong to ioc: drop them while it lives.
  pool.stop();
  return 0;
}

}  // namespace levee::load
