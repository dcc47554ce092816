#include "backend/session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <limits>

#include "backend/handlers.h"

namespace levee::load {

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto idle_timeout = std::chrono::seconds(120);
constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t read_buffer_limit = 64 * 1024;

// Keeps connections_open right on every way out of the coroutine, including destruction at
// shutdown.
class OpenConnection {
 public:
  explicit OpenConnection(BackendStats& stats) : stats_(stats) {
    stats_.connections_open.fetch_add(1, std::memory_order_relaxed);
    stats_.connections_total.fetch_add(1, std::memory_order_relaxed);
  }
  ~OpenConnection() { stats_.connections_open.fetch_sub(1, std::memory_order_relaxed); }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  BackendStats& stats_;
};

bool expects_continue(const RequestParser& parser) {
  return beast::iequals(parser.get()[http::field::expect], "100-continue");
}

}  // namespace

asio::awaitable<void> run_session(beast::tcp_stream stream, BackendContext& context,
                                  std::uint64_t connection_id) {
  OpenConnection open(context.stats);
  beast::flat_buffer buffer(read_buffer_limit);
  std::mt19937_64 rng(context.config.seed ^ (connection_id * 0x9e3779b97f4a7c15ULL));
  try {
    for (;;) {
      RequestParser parser;
      parser.header_limit(header_limit);
      // Bodies stream through a fixed buffer, so their size costs no memory.
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      stream.expires_after(idle_timeout);
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, nothrow);
      if (ec) break;
      context.stats.requests_total.fetch_add(1, std::memory_order_relaxed);
      if (expects_continue(parser) && !parser.is_done()) {
        static constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(interim), nothrow);
        if (wec) break;
      }
      Exchange ex{stream, buffer, parser, context, rng};
      if (co_await handle_request(ex) == After::close) break;
    }
  } catch (const std::exception&) {
    // Nothing to answer to; the connection just closes. The backend logs nothing per request.
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace levee::load
