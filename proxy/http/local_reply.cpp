#include "proxy/http/local_reply.h"

#include <boost/beast/http/field.hpp>

namespace levee::http {
namespace bh = boost::beast::http;

LocalReply make_error_reply(bh::status status, std::string_view detail, bool close_connection) {
  LocalReply reply;
  reply.status = status;
  reply.body.reserve(detail.size() + 8);
  reply.body.append("levee: ").append(detail).append("\n");
  reply.close_connection = close_connection;
  reply.headers.emplace_back("levee-error", std::string(detail));
  return reply;
}

LocalResponse to_response(const LocalReply& reply, unsigned version, bool keep_alive, bool head_request) {
  LocalResponse response{reply.status, 11};
  response.set(bh::field::server, "levee");
  response.set(bh::field::content_type, reply.content_type);
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  response.body() = reply.body;
  response.prepare_payload();
  if (head_request) response.body().clear();  // Content-Length stays: it describes the GET
  const bool persist = keep_alive && !reply.close_connection;
  if (version == 10 && persist)
    response.set(bh::field::connection, "keep-alive");
  else
    response.keep_alive(persist);
  return response;
}

}  // namespace levee::http
