#include "client/request_bytes.h"

#include <fmt/format.h>

namespace levee::load {

std::string serialize_request(const Url& target, const RequestTemplate& t, int attempt) {
  std::string out = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\n", t.method, target.target, target.host_header);
  bool has_user_agent = false;
  for (const auto& [name, value] : t.headers) {
    out += fmt::format("{}: {}\r\n", name, value);
    if (name.size() == 10 && (name[0] == 'U' || name[0] == 'u')) has_user_agent = true;
  }
  if (!has_user_agent) out += "User-Agent: levee-load\r\n";
  if (attempt > 0) out += fmt::format("{}: {}\r\n", t.retry_header, attempt);
  if (!t.keep_alive) out += "Connection: close\r\n";
  if (!t.body.empty() || t.method == "POST" || t.method == "PUT" || t.method == "PATCH") {
    out += fmt::format("Content-Length: {}\r\n", t.body.size());
  }
  out += "\r\n";
  out += t.body;
  return out;
}

RequestBytes::RequestBytes(const std::vector<Url>& targets, const RequestTemplate& t, int max_attempt)
    : per_target_(static_cast<std::size_t>(max_attempt) + 1) {
  for (const Url& url : targets) {
    for (int a = 0; a <= max_attempt; ++a) bytes_.push_back(serialize_request(url, t, a));
  }
}

}  // namespace levee::load
