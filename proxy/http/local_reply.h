#pragma once
// An answer levee writes itself, without the service: errors (400, 431, 502, 504 ...) and, with
// the overload guard, shed replies. Plain data so the code that decides (pure) is apart from the
// code that writes (the session). Whether the connection closes afterwards is a field, decided
// where the reply is made, not a rule buried in the session.

#include "proxy/http/field_pool.h"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace levee::http {

struct LocalReply {
  boost::beast::http::status status = boost::beast::http::status::ok;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  bool close_connection = false;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Retry-After
};

// A short text reply for a proxy-side failure; `detail` ends up in the body for humans and in
// the `levee-error` header for machines.
LocalReply make_error_reply(boost::beast::http::status status, std::string_view detail, bool close_connection);

// Serialisable form of `reply` for a client that spoke `version` (10 or 11).
using LocalResponse = boost::beast::http::message<false, boost::beast::http::string_body, Fields>;
LocalResponse to_response(const LocalReply& reply, unsigned version, bool keep_alive, bool head_request);

}  // namespace levee::http
