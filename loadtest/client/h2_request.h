#pragma once
// A request of the run as an HTTP/2 request: the same bytes the HTTP/1.1 path writes
// (request_bytes.h, holes filled), read back into a request head and a body. The request
// line gives :method and :path, Host gives :authority; h2::ClientConnection drops the fields
// HTTP/2 forbids (Connection, Content-Length is kept and checked by the peer). One small parse
// per request: HTTP/2 runs pay it where HTTP/1.1 runs write prepared bytes.

#include <optional>
#include <string>
#include <string_view>

#include "proxy/h2/client_connection.h"

namespace levee::load {

struct H2Request {
  h2::RequestHead head;
  std::string body;
};

// nullopt: `text` is not a request levee-load would have serialised (no request line, or a
// header line without a colon).
std::optional<H2Request> h2_request_from_http1(std::string_view text);

}  // namespace levee::load
