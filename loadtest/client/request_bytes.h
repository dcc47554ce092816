#pragma once
// The requests a run sends, serialized once before it starts: one per target and attempt
// number (retries differ only by their Retry-Attempt header). Sending is then a gather write of
// ready bytes around one small per-request value, the caller's remaining patience in the deadline
// header and, for a flow with `keys:`, the key in its header, so there is no formatting or
// allocation per request.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/duration.h"
#include "common/url.h"

namespace levee::load {

struct RequestTemplate {
  std::string method = "GET";
  // The request target ("/orders?id=1"); empty: the target URL's own path. Lets a request mix
  // call several endpoints of one service.
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;
  std::string retry_header = "Retry-Attempt";
  // "levee-timeout: 850ms": how long this caller will still wait, so a proxy can refuse work
  // that cannot finish in time. Empty: not sent.
  std::string deadline_header = "levee-timeout";
};

// A serialized request with two holes, for the flow key (a header value with {key}) and for the
// deadline value: head + key + middle + deadline + tail.
struct RequestParts {
  std::string head;
  std::string middle;
  std::string tail;
  bool has_key = false;       // false: no key goes between head and middle
  bool has_deadline = false;  // false: tail is empty and no value goes between
};

// The key that goes in its hole: decimal digits.
std::string_view format_key_value(std::uint32_t key, std::array<char, 24>& buffer);

// The value that goes in the hole: remaining milliseconds, at least 1 (0 would read as "no time").
std::string_view format_deadline_value(Nanos remaining, std::array<char, 24>& buffer);

// One RequestParts per template (of a request mix; one without), target and attempt.
class RequestBytes {
 public:
  RequestBytes(const std::vector<Url>& targets, const std::vector<RequestTemplate>& templates, int max_attempt);
  RequestBytes(const std::vector<Url>& targets, const RequestTemplate& t, int max_attempt)
      : RequestBytes(targets, std::vector<RequestTemplate>{t}, max_attempt) {}
  const RequestParts& get(std::size_t request, std::size_t target, int attempt) const {
    return parts_[(request * targets_ + target) * per_target_ + static_cast<std::size_t>(attempt)];
  }
  const RequestParts& get(std::size_t target, int attempt) const { return get(0, target, attempt); }

 private:
  std::size_t targets_;
  std::size_t per_target_;
  std::vector<RequestParts> parts_;
};

RequestParts serialize_request(const Url& target, const RequestTemplate& t, int attempt);

// The whole request as it goes on the wire, for tests and logs.
std::string assemble(const RequestParts& parts, Nanos remaining, std::uint32_t key = 0);

}  // namespace levee::load
