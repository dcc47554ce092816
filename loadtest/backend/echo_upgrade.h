#pragma once
// GET /echo-upgrade: a WebSocket-like service for tunnel tests. With `Connection: upgrade` and
// an `Upgrade` header it answers 101 (Upgrade echoed back) and then echoes every byte it
// reads until the client half-closes, then half-closes too. It does not speak the WebSocket
// framing: a proxy must relay bytes, not frames, and a test can check them byte for byte.
//   ?greeting=TEXT   sent in the same write as the 101 (bytes a proxy reads past the header)
//   ?decline=1       403 instead of 101 (a service that refuses the upgrade)
// Without an Upgrade it answers 426 "upgrade required" (what a proxy that strips it gets).

#include <string_view>

#include "backend/exchange.h"

namespace levee::load {

asio::awaitable<After> handle_echo_upgrade(Exchange& ex, std::string_view query);

}  // namespace levee::load
