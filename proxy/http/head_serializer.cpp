#include "proxy/http/head_serializer.h"

#include <boost/beast/http/status.hpp>

#include <array>
#include <charconv>
#include <cstring>
#include <string_view>

namespace levee::http {
namespace bh = boost::beast::http;

namespace {

std::string_view version_text(unsigned version) { return version == 10 ? "HTTP/1.0" : "HTTP/1.1"; }

// Sized first, then filled with plain copies: one capacity check for the whole header rather
// than four per field.
void append_fields(const Fields& fields, std::span<const AddedField> added, std::string& out) {
  std::size_t size = out.size() + 2;
  for (const auto& field : fields) size += field.name_string().size() + field.value().size() + 4;
  for (const auto& field : added) size += field.name.size() + field.value.size() + 4;
  std::size_t at = out.size();
  out.resize(size);
  char* data = out.data();
  const auto put = [&](std::string_view text) {
    std::memcpy(data + at, text.data(), text.size());
    at += text.size();
  };
  for (const auto& field : fields) {
    put(field.name_string());
    put(": ");
    put(field.value());
    put("\r\n");
  }
  for (const auto& field : added) {
    put(field.name);
    put(": ");
    put(field.value);
    put("\r\n");
  }
  put("\r\n");
}

// The service's own phrase, else the standard one (Beast's reason() gives that when none was
// set). A code without a standard phrase gets an empty one, which HTTP allows, rather than
// Beast's placeholder "<unknown-status>", which would be levee's invention.
std::string_view reason_phrase(const ResponseHeader& header) {
  const std::string_view reason = header.reason();
  if (bh::int_to_status(header.result_int()) == bh::status::unknown &&
      reason == std::string_view(bh::obsolete_reason(bh::status::unknown)))
    return {};
  return reason;
}

}  // namespace

void serialize_head(const RequestHeader& header, std::span<const AddedField> added, std::string& out) {
  out.clear();
  out.append(header.method_string()).push_back(' ');
  out.append(header.target()).push_back(' ');
  out.append(version_text(header.version())).append("\r\n", 2);
  append_fields(header, added, out);
}

void serialize_head(const ResponseHeader& header, std::string& out) {
  out.clear();
  out.append(version_text(header.version())).push_back(' ');
  std::array<char, 8> digits{};
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), header.result_int());
  out.append(digits.data(), end).push_back(' ');
  out.append(reason_phrase(header)).append("\r\n", 2);
  append_fields(header, {}, out);
}

}  // namespace levee::http
