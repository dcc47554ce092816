#pragma once
// Reading and writing bodies for the backend, in bounded memory.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "backend/exchange.h"
#include "common/fnv1a.h"

namespace levee::load {

struct BodyDigest {
  std::uint64_t bytes = 0;
  Fnv1a hash;
};

// Reads the rest of the request body through a fixed buffer, hashing it when `digest` is set.
// False when the connection failed; the caller closes it.
asio::awaitable<bool> consume_body(Exchange& ex, BodyDigest* digest);

// A whole small response; keep-alive follows the request. `retry_after` adds "Retry-After: 1".
asio::awaitable<After> send_text(Exchange& ex, unsigned status, std::string_view content_type,
                                 std::string body, bool retry_after = false);

// n bytes of 'a'..'z' repeating, written 16 KiB at a time, with Content-Length or chunked.
asio::awaitable<After> send_pattern(Exchange& ex, std::uint64_t n, bool chunked);

}  // namespace levee::load
