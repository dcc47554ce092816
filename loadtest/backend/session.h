#pragma once
// One accepted connection of the backend: read a request header, hand the request to
// handle_request, repeat while keep-alive. Requests on a connection are handled strictly in
// order. Runs as a coroutine on the connection's strand.

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "backend/exchange.h"

namespace levee::load {

asio::awaitable<void> run_session(beast::tcp_stream stream, BackendContext& context,
                                  std::uint64_t connection_id);

}  // namespace levee::load
