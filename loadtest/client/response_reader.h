#pragma once
// A Beast response parser that keeps only what the generator needs (status, Retry-After,
// keep-alive) and throws the body away as it streams past: no allocation per response, and a
// large body costs no memory.

#include <boost/beast/http/basic_parser.hpp>
#include <charconv>
#include <optional>
#include <string_view>

#include "common/duration.h"

namespace levee::load {

// Retry-After in its delta-seconds form; an HTTP-date (or anything else) is ignored.
inline std::optional<Nanos> parse_retry_after(std::string_view value) {
  unsigned seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
  return std::chrono::seconds(seconds);
}

class ResponseReader final : public boost::beast::http::basic_parser<false> {
 public:
  ResponseReader() {
    // Bodies are discarded, so their size is no memory risk; headers stay bounded.
    body_limit(std::numeric_limits<std::uint64_t>::max());
    header_limit(16 * 1024);
  }
  unsigned status() const { return status_; }
  std::optional<Nanos> retry_after() const { return retry_after_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;
  using verb = boost::beast::http::verb;

  void on_request_impl(verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override {
    status_ = static_cast<unsigned>(code);
  }
  void on_field_impl(field name, string_view, string_view value, error_code&) override {
    if (name != field::retry_after) return;
    if (const auto wait = parse_retry_after(std::string_view(value.data(), value.size()))) retry_after_ = wait;
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code&) override { return body.size(); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  unsigned status_ = 0;
  std::optional<Nanos> retry_after_;
};

}  // namespace levee::load
