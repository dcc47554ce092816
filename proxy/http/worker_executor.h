#pragma once
// The executor every connection and request coroutine of the data path runs on, named as its
// concrete type: one worker's io_context.
//
// Why not Asio's default, any_io_executor: that is a type-erased executor (a function table
// and a small buffer), and every asynchronous operation copies, moves, compares and destroys
// its socket's and its coroutine's executor through that table, and asks it for work
// tracking. On a small keep-alive request that was 2,200 of 23,450 user-space instructions
// (bench/overhead/instructions.sh; RESULTS.md, fourteenth session). The io_context's executor
// is a pointer, and Asio sees at compile time that an operation's socket and coroutine share
// it. The price: sockets, streams and coroutines that meet must all name this type, hence the
// aliases (health probes too, since they use the data path's streams). Timers and the admin
// server keep the default; they are off the per-request path.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace levee::http {

using Executor = boost::asio::io_context::executor_type;

template <class T = void>
using Awaitable = boost::asio::awaitable<T, Executor>;

using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;

// For an Asio operation co_awaited as an Awaitable (boost::asio::use_awaitable is typed for
// any_io_executor).
inline constexpr boost::asio::use_awaitable_t<Executor> use_awaitable{};

}  // namespace levee::http
