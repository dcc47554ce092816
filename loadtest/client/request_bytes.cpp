#include "client/request_bytes.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace levee::load {

RequestParts serialize_request(const Url& target, const RequestTemplate& t, int attempt) {
  RequestParts parts;
  std::string& out = parts.head;
  out = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\n", t.method, t.path.empty() ? target.target : t.path,
                    target.host_header);
  bool has_user_agent = false;
  const std::pair<std::string, std::string>* keyed = nullptr;
  for (const auto& header : t.headers) {
    const auto& [name, value] = header;
    if (value.find("{key}") != std::string::npos && keyed == nullptr) {
      keyed = &header;
      continue;
    }
    out += fmt::format("{}: {}\r\n", name, value);
    if (name.size() == 10 && (name[0] == 'U' || name[0] == 'u')) has_user_agent = true;
  }
  if (!has_user_agent) out += "User-Agent: levee-load\r\n";
  if (attempt > 0) out += fmt::format("{}: {}\r\n", t.retry_header, attempt);
  if (!t.keep_alive) out += "Connection: close\r\n";
  if (!t.body.empty() || t.method == "POST" || t.method == "PUT" || t.method == "PATCH") {
    out += fmt::format("Content-Length: {}\r\n", t.body.size());
  }
  std::string* rest = &parts.head;
  if (keyed != nullptr) {
    // The keyed header and the deadline header go last, so each value sits between fixed strings.
    const std::size_t at = keyed->second.find("{key}");
    out += fmt::format("{}: {}", keyed->first, keyed->second.substr(0, at));
    parts.has_key = true;
    parts.middle = keyed->second.substr(at + 5) + "\r\n";
    rest = &parts.middle;
  }
  if (!t.deadline_header.empty()) {
    *rest += t.deadline_header;
    *rest += ": ";
    parts.has_deadline = true;
    parts.tail = "ms\r\n";
    rest = &parts.tail;
  }
  *rest += "\r\n";
  *rest += t.body;
  return parts;
}

std::string_view format_key_value(std::uint32_t key, std::array<char, 24>& buffer) {
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), key);
  (void)ec;  // 24 characters hold any uint32
  return {buffer.data(), static_cast<std::size_t>(end - buffer.data())};
}

std::string_view format_deadline_value(Nanos remaining, std::array<char, 24>& buffer) {
  const auto ms = std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(remaining).count());
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), ms);
  (void)ec;  // 24 characters hold any int64
  return {buffer.data(), static_cast<std::size_t>(end - buffer.data())};
}

std::string assemble(const RequestParts& parts, Nanos remaining, std::uint32_t key) {
  std::array<char, 24> buffer{};
  std::string out = parts.head;
  if (parts.has_key) out += format_key_value(key, buffer);
  out += parts.middle;
  if (parts.has_deadline) out += format_deadline_value(remaining, buffer);
  out += parts.tail;
  return out;
}

RequestBytes::RequestBytes(const std::vector<Url>& targets, const std::vector<RequestTemplate>& templates,
                           int max_attempt)
    : targets_(targets.size()), per_target_(static_cast<std::size_t>(max_attempt) + 1) {
  for (const RequestTemplate& t : templates) {
    for (const Url& url : targets) {
      for (int a = 0; a <= max_attempt; ++a) parts_.push_back(serialize_request(url, t, a));
    }
  }
}

}  // namespace levee::load
