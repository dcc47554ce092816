#include "proxy/h2/http1_request.h"

#include <array>
#include <string_view>

namespace levee::h2 {
namespace {

// Fields that do not travel from the h2 request to the HTTP/1.1 one (see the header).
constexpr std::array<std::string_view, 9> not_forwarded{
    "te", "expect", "content-length", "connection", "keep-alive", "proxy-connection",
    "transfer-encoding", "upgrade", "http2-settings"};

bool forwarded(std::string_view name) {
  if (name.empty() || name.front() == ':' || name == "host" || name == "cookie") return false;
  for (const std::string_view dropped : not_forwarded)
    if (name == dropped) return false;
  return true;
}

void append_field(std::string& head, std::string_view name, std::string_view value) {
  head.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string_view field_value(const std::vector<Field>& fields, std::string_view name) {
  for (const Field& field : fields)
    if (field.name == name) return field.value;
  return {};
}

std::optional<std::string> http1_request_head(const std::vector<Field>& fields, std::optional<std::uint64_t> body_length) {
  const std::string_view method = field_value(fields, ":method");
  if (method.empty()) return std::nullopt;
  std::string_view target = field_value(fields, ":path");
  const std::string_view authority = field_value(fields, ":authority");
  if (target.empty()) target = authority;  // CONNECT names its target in :authority
  std::string head;
  head.reserve(256);
  head.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  // The server checked that :authority and host agree when both are present.
  const std::string_view host = authority.empty() ? field_value(fields, "host") : authority;
  if (!host.empty()) append_field(head, "host", host);
  std::string cookies;
  for (const Field& field : fields) {
    if (field.name == "cookie") {
      if (!cookies.empty()) cookies.append("; ");
      cookies.append(field.value);
    } else if (forwarded(field.name)) {
      append_field(head, field.name, field.value);
    }
  }
  if (!cookies.empty()) append_field(head, "cookie", cookies);
  if (body_length) append_field(head, "content-length", std::to_string(*body_length));
  head.append("\r\n");
  return head;
}

}  // namespace levee::h2
