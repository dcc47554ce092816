#pragma once
// A client connection taken from the listening socket with accept4(), made non-blocking by that
// same call, and handed to Asio as a socket Asio treats as one it opened itself.
//
// Why not Asio's async_accept: it calls accept(), then sets the new socket non-blocking with an
// ioctl(FIONBIO) on its first operation, and marks it "possibly a duplicate" (the path is shared
// with assign() of a caller's descriptor, which may be a dup() of one already in epoll), so that
// closing it first removes it from epoll with an epoll_ctl(DEL). A socket accept4() made has no
// duplicate: close() alone takes it out of epoll. With a new connection per request (clients
// without keep-alive) that is two system calls saved of about thirteen a request (strace of one
// request in bench/overhead/RESULTS.md, thirteenth session). TCP_NODELAY is set once on the
// listening socket: Linux copies it into every accepted socket, which saves a third.

#include "proxy/http/worker_executor.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace levee::http {

// Accepts one pending connection without waiting, as a socket of `context` (registered with its
// reactor). `ec` is would_block when none is pending; then wait for the acceptor's readiness.
// `peer` receives the client's address (saves a getpeername()).
Socket accept_now(boost::asio::ip::tcp::acceptor& acceptor, boost::asio::io_context& context,
                  boost::asio::ip::tcp::endpoint& peer, boost::system::error_code& ec);

// True for accept errors that concern one connection, gone before it was taken (the next one
// may be fine), rather than the process's resources.
bool is_connection_level(const boost::system::error_code& ec);

}  // namespace levee::http
